using System.Text.Json;
using GainCal.Calibration;
using GainCal.Detector;
using GainCal.Dump;
using GainCal.Results;
using GainCal.Storage;

namespace GainCal.Cluster;

/// <summary>What `create` finds on disk, done where the command arrives (the node's command host), never inside the
/// coordinator singleton: the run's dumps in its input directory, its VCal table (resolved and read once: a bad one
/// would fail every FED, and a recorded run cannot be given another), and, once the run is recorded, its output
/// directory and config.json.</summary>
public static class RunInput
{
    /// <summary>The request to record the run, or the one-line reason why there is none. Input, output and VCal table
    /// must lie under this node's allowed roots once every link is resolved. <paramref name="vcalOrigin"/> says what the VCal
    /// file held (for a conditions file: class, tag, IOV and archive version).</summary>
    /// <param name="feds">The FEDs the run may have (run.py's --fed, -B, -F); default: the BPix ones with <paramref name="bpixOnly"/>, else all.</param>
    /// <param name="cabling">The run's own cabling map, as <see cref="CheckCabling"/> found it (recorded, and sent with every FED).</param>
    public static CreateRun Scan(uint run, string inputDir, string outputDir, string? vcalTag, bool bpixOnly, PathConfinement paths,
        out string? vcalOrigin, IReadOnlyCollection<int>? feds = null, (string Path, string? Tag)? cabling = null)
    {
        var expected = feds ?? (bpixOnly ? PixelFeds.BPix : PixelFeds.All);
        vcalOrigin = null;
        if (run == 0) throw new InvalidDataException("the run number must be a positive integer");
        var remote = StorageByLocation.IsRemote(inputDir);
        var input = remote ? XRootDUrl.Parse(inputDir).ToString() : Path.GetFullPath(inputDir);
        var output = RunLayout.ForRun(outputDir, run).Directory;
        if ((paths.Problem(input) ?? paths.Problem(output)) is { } outside) throw new InvalidDataException(outside);
        if (StorageByLocation.Default.Stat(input) is not { IsDirectory: true })
            throw new InvalidDataException($"{input}: input directory does not exist");
        var found = new SortedSet<int>();
        foreach (var entry in StorageByLocation.Default.List(input))
            if (!entry.IsDirectory && DumpFileName.TryParse(entry.Name, out var name) && name!.Run == run && expected.Contains(name.Fed))
                found.Add(name.Fed);
        if (found.Count == 0)
            throw new InvalidDataException($"{input}: no GainCalibration_<FED>_{run}.dmp file of a " +
                                           $"{(feds is not null ? $"selected FED ({FedList.Format(feds)})" : bpixOnly ? "BPix FED" : "pixel FED")}");
        var tag = string.IsNullOrEmpty(vcalTag) ? null : vcalTag;
        string? vcal = null;
        if (tag is not null)
        {
            vcal = ResolveVCal(tag, input) ?? throw new InvalidDataException($"VCal tag {tag}: no file {tag} or {tag}.* in {input} or its parent");
            if (paths.Problem(vcal) is { } vcalOutside) throw new InvalidDataException($"VCal tag {tag}: {vcalOutside}");
            try
            {
                vcalOrigin = VCalTable.Load(vcal).Origin;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"VCal tag {tag}: {e.Message}", e);
            }
        }
        return new CreateRun(run, input, output, tag, vcal, bpixOnly, found.ToArray(),
            expected.Where(f => !found.Contains(f)).Order().ToArray(), CablingPath: cabling?.Path, CablingTag: cabling?.Tag);
    }

    /// <summary>A run's own cabling map (create --cabling), read once here so that a wrong file is the operator's one-line error
    /// at create, not a failure of every FED: its full path, under the node's allowed roots, and what it held.</summary>
    public static (string Path, string Origin) CheckCabling(string path, string? tag, PathConfinement paths)
    {
        var full = Path.GetFullPath(path);
        if (paths.Problem(full) is { } outside) throw new InvalidDataException($"cabling: {outside}");
        if (!File.Exists(full)) throw new InvalidDataException($"{full}: cabling file does not exist");
        try
        {
            return (full, CablingMap.Load(full, tag).Origin);
        }
        catch (Exception e) when (e is CablingFormatException or InvalidDataException or IOException or UnauthorizedAccessException or FormatException)
        {
            throw new InvalidDataException(e.Message.StartsWith(full, StringComparison.Ordinal) ? e.Message : $"{full}: {e.Message}", e);
        }
    }

    /// <summary>The reference copies &lt;VCALTAG&gt;.db from beside the run directory: a tag is a file path, or
    /// a file named after it (any extension) in the input directory or its parent.</summary>
    static string? ResolveVCal(string tag, string input)
    {
        if (File.Exists(tag)) return Path.GetFullPath(tag);
        if (StorageByLocation.IsRemote(input)) return null;
        foreach (var dir in new[] { input, Path.GetDirectoryName(input) }.OfType<string>())
        {
            var hit = Directory.EnumerateFiles(dir)
                .FirstOrDefault(f => Path.GetFileName(f) == tag || Path.GetFileNameWithoutExtension(f) == tag);
            if (hit is not null) return hit;
        }
        return null;
    }

    /// <summary>The run's output directory with its fed/ directory, before the run is recorded (a directory that cannot be
    /// made fails the create). On XRootD, writing makes the directories: a probe file written and removed there proves
    /// the server answers and lets this node write.</summary>
    public static void PrepareOutput(CreateRun c)
    {
        var layout = new RunLayout(c.OutputDir);
        try
        {
            if (!layout.IsRemote)
            {
                Directory.CreateDirectory(layout.FedDirectory);
                return;
            }
            using var probe = StorageByLocation.Default.BeginWrite(StorageByLocation.Combine(layout.FedDirectory, ".gaincal-probe"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{c.OutputDir}: cannot create the output directory: {ex.Message}", ex);
        }
    }

    /// <summary>config.json, what the run records (the reference's), written once the coordinator has recorded the run.</summary>
    public static void WriteConfig(CreateRun c)
    {
        var json = JsonSerializer.Serialize(new
        {
            run = c.Run, indir = c.InputDir, outdir = c.OutputDir, vcaltag = c.VCalTag, vcalfile = c.VCalPath,
            bpixonly = c.BPixOnly, feds = c.Feds, missing = c.MissingFeds, realignevents = c.RealignEvents,
            cabling = c.CablingPath, cablingtag = c.CablingTag,
        }, new JsonSerializerOptions { WriteIndented = true });
        RunLayout.WriteText(new RunLayout(c.OutputDir).Config, json);
    }
}
