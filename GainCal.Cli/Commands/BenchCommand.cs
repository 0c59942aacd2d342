using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using GainCal.Calibration;
using GainCal.Dump;
using GainCal.Simulation;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal bench`: speed and memory figures, printed (never asserted by tests).</summary>
internal static partial class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks: print speed and memory figures measured on this machine.");
        bench.Subcommands.Add(CreateCalibrate());
        return bench;
    }

    private static Command CreateCalibrate()
    {
        var fed = new Option<int>("--fed") { Description = "FED to simulate at full size (default 1296, an FPix FED: 24 modules, 384 ROCs)", DefaultValueFactory = _ => 1296 };
        var dir = new Option<DirectoryInfo?>("--dir") { Description = "Where the simulated dump is kept between runs (default: $TMPDIR/gaincal-bench)" };
        var repeat = new Option<int>("--repeat") { Description = "Repetitions of each measurement; medians are printed", DefaultValueFactory = _ => 3 };
        var decoders = new Option<int?>("--decoders")
        { Description = "Passed to the end-to-end `gaincal calibrate --decoders` (default: calibrate's own)", CustomParser = r => CliValues.Int(r, "--decoders", min: 1) };
        var command = new Command("calibrate",
            "Full-size FED: scan floor (read and touch every word), decoding alone (ns per hit word, one core), end-to-end `gaincal calibrate` (the FedPipeline the cluster runs too), their ratio (with the dump in the page cache, and read from disk), pixels fitted per second on one core, peak RSS.")
        {
            fed, dir, repeat, decoders,
        };
        command.SetAction(parsed => RunCalibrate(parsed.GetValue(fed),
            parsed.GetValue(dir)?.FullName ?? Path.Combine(Path.GetTempPath(), "gaincal-bench"), Math.Max(1, parsed.GetValue(repeat)),
            parsed.GetValue(decoders)));
        return command;
    }

    private static int RunCalibrate(int fed, string directory, int repeat, int? decoders)
    {
        var c = CultureInfo.InvariantCulture;
        var setup = FedCalibrationSetup.Default;
        var dump = Path.Combine(directory, new DumpFileName(fed, 1).FileName);
        if (!File.Exists(dump))
        {
            Console.WriteLine($"simulating full-size FED {fed} into {dump} ...");
            var clock = Stopwatch.StartNew();
            FedSimulator.Write(dump, fed, setup, new SimulationOptions());
            Console.WriteLine(string.Create(c, $"  {new FileInfo(dump).Length / 1e6:F0} MB in {clock.Elapsed.TotalSeconds:F1} s"));
        }
        var bytes = new FileInfo(dump).Length;
        var rocs = setup.Cabling.ForFed(fed).Rocs.Count;
        Console.WriteLine(string.Create(c, $"FED {fed}: {rocs} ROCs, {rocs * 4160:N0} pixels, dump {bytes / 1e6:F0} MB; {Environment.ProcessorCount} cores; medians of {repeat}; load {Load()}"));

        ScanFloor(dump);
        var scan = Median(Enumerable.Range(0, repeat).Select(_ => ScanFloor(dump)));
        Console.WriteLine(string.Create(c, $"scan floor (read + touch every word): {scan:F3} s  ({bytes / scan / 1e9:F2} GB/s)"));

        DecodeAlone(dump, setup);
        var decode = Enumerable.Range(0, repeat).Select(_ => DecodeAlone(dump, setup)).ToList();
        var decodeSeconds = Median(decode.Select(d => d.Seconds));
        var decodeCpu = Median(decode.Select(d => d.CpuSeconds));
        Console.WriteLine(string.Create(c,
            $"decoding alone, one core (read, decode, accumulate per pattern; no fit): {decodeSeconds:F3} s, {decodeSeconds * 1e9 / decode[0].HitWords:F2} ns per hit word; " +
            $"CPU {decodeCpu:F3} s, {decodeCpu * 1e9 / decode[0].HitWords:F2} ns per hit word  ({decode[0].HitWords:N0} hit words; target <= 1.2)"));

        var output = Path.Combine(directory, "out");
        var runs = Enumerable.Range(0, repeat).Select(_ => CalibrateChild(dump, output, decoders)).ToList();
        var wall = Median(runs.Select(r => r.Seconds));
        var rss = runs.Max(r => r.PeakRssMb);
        var pixels = runs[0].Pixels;
        Console.WriteLine(string.Create(c, $"end-to-end `gaincal calibrate` (process start to table written): {wall:F3} s  ({bytes / wall / 1e9:F2} GB/s); " +
            $"CPU {Median(runs.Select(r => r.CpuSeconds)):F3} s over all its threads"));
        Console.WriteLine(string.Create(c,
            $"  of which: start-up {Median(runs.Select(r => r.StartUpSeconds)):F3} s, read + decode + fit + table {Median(runs.Select(r => r.CalibrateSeconds)):F3} s, " +
            $"writing the table {Median(runs.Select(r => r.WriteSeconds)):F3} s, the rest (process exit) {Median(runs.Select(r => r.Seconds - r.StartUpSeconds - r.CalibrateSeconds - r.WriteSeconds)):F3} s"));
        Console.WriteLine(string.Create(c, $"ratio end-to-end / scan floor: {wall / scan:F2}  (target <= 6)"));
        Console.WriteLine(string.Create(c, $"pixels fitted: {pixels:N0}; per second per core end-to-end: {pixels / wall / Environment.ProcessorCount / 1e6:F2} M"));

        // The same two runs with the dump first dropped from the page cache: what a freshly copied-in or long-unread dump costs.
        if (PageCache.TryEvict(dump))
        {
            var coldScan = Median(Enumerable.Range(0, repeat).Select(_ => PageCache.TryEvict(dump) ? ScanFloor(dump) : double.NaN));
            var coldWall = Median(Enumerable.Range(0, repeat).Select(_ => PageCache.TryEvict(dump) ? CalibrateChild(dump, output, decoders).Seconds : double.NaN));
            Console.WriteLine(string.Create(c,
                $"from disk (dump evicted from the page cache before each run): scan floor {coldScan:F3} s ({bytes / coldScan / 1e9:F2} GB/s), end-to-end {coldWall:F3} s, ratio {coldWall / coldScan:F2}  (target <= 2)"));
        }
        else
        {
            Console.WriteLine("from disk: not measured (the page cache cannot be told to drop the dump here)");
        }

        var fits = Enumerable.Range(0, repeat).Select(_ => FitRate(dump, setup)).ToList();
        Console.WriteLine(string.Create(c,
            $"fit alone, one core: {Median(fits.Select(f => f.Wall)) / 1e6:F2} M pixels/s, per CPU second {Median(fits.Select(f => f.Cpu)) / 1e6:F2} M  (target >= 6)"));
        Console.WriteLine(string.Create(c, $"peak RSS of `gaincal calibrate`: {rss:F0} MB  (target <= 400)"));
        Console.WriteLine($"load after: {Load()}");
        return 0;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>One scanner on this thread over the whole dump: reading, SLink framing, word decoding and accumulation per
    /// pattern, without fitting; the hit words it decoded.</summary>
    /// <remarks>CPU time is this thread's (the loop runs on it): on a loaded machine it says what the code costs, where
    /// wall time says what the machine had to spare.</remarks>
    private static (double Seconds, double CpuSeconds, long HitWords) DecodeAlone(string dump, FedCalibrationSetup setup)
    {
        var cpu = ThreadCpu.Seconds();
        var clock = Stopwatch.StartNew();
        using var scanner = new FedDumpScanner(dump, setup);
        // As in the pipeline, a pattern's arrays are handed back once it is used.
        while (scanner.TryReadPattern(out var curves)) scanner.Recycle(curves);
        return (clock.Elapsed.TotalSeconds, ThreadCpu.Seconds() - cpu, scanner.Counters.Hits);
    }

    /// <summary>The floor no calibration can beat: read the file sequentially and touch every 64-bit word.</summary>
    private static double ScanFloor(string path)
    {
        var clock = Stopwatch.StartNew();
        var buffer = new byte[1 << 20];
        ulong x = 0;
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        int n;
        while ((n = f.Read(buffer, 0, buffer.Length)) > 0)
            foreach (var w in MemoryMarshal.Cast<byte, ulong>(buffer.AsSpan(0, n & ~7))) x ^= w;
        GC.KeepAlive(x);
        return clock.Elapsed.TotalSeconds;
    }

    private sealed record ChildRun(double Seconds, double PeakRssMb, long Pixels, double CpuSeconds, double StartUpSeconds, double CalibrateSeconds,
        double WriteSeconds);

    private static ChildRun CalibrateChild(string dump, string output, int? decoders)
    {
        var start = GaincalProcess.StartInfo(["calibrate", dump, "-o", output, .. decoders is { } d ? new[] { "--decoders", d.ToString(CultureInfo.InvariantCulture) } : []]);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"gaincal calibrate failed: {stderr.Result}");
        var text = stdout.Result;
        var rss = double.Parse(RssLine().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var pixels = long.Parse(PixelsLine().Match(text).Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
        var cpu = double.Parse(CpuLine().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var phases = PhasesLine().Match(text);
        double Phase(int k) => double.Parse(phases.Groups[k].Value, CultureInfo.InvariantCulture);
        return new ChildRun(seconds, rss, pixels, cpu, Phase(3), Phase(1), Phase(2));
    }

    /// <summary>Pixels per second of the fit alone on one core, over the curves of the dump's first 100 patterns,
    /// fitted five times over (about a second: long enough that one slow moment of a shared machine does not decide).</summary>
    private static (double Wall, double Cpu) FitRate(string dump, FedCalibrationSetup setup)
    {
        var curves = new List<PatternCurves>();
        using (var scanner = new FedDumpScanner(dump, setup))
            while (curves.Count < 100 && scanner.TryReadPattern(out var c)) curves.Add(c);
        var fitter = new PatternFitter(setup);
        // As in the pipeline, fits fill the array of an earlier pattern of as many pixels.
        var spare = new Dictionary<int, PixelFit[]>();
        foreach (var c in curves) spare[c.PixelCount] = fitter.Fit(c).Fits;
        var cpu = ThreadCpu.Seconds();
        var clock = Stopwatch.StartNew();
        long pixels = 0;
        for (var pass = 0; pass < 5; pass++)
            foreach (var c in curves) pixels += fitter.Fit(c, spare[c.PixelCount]).PixelCount;
        return (pixels / clock.Elapsed.TotalSeconds, pixels / (ThreadCpu.Seconds() - cpu));
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    [GeneratedRegex(@"peak RSS ([0-9.]+) MB")]
    private static partial Regex RssLine();

    [GeneratedRegex(@"fitted ([0-9,]+) pixels")]
    private static partial Regex PixelsLine();

    [GeneratedRegex(@"CPU ([0-9.]+) s")]
    private static partial Regex CpuLine();

    [GeneratedRegex(@"read, decode, fit and table ([0-9.]+) s, writing ([0-9.]+) s; start-up before them ([0-9.]+) s")]
    private static partial Regex PhasesLine();
}

/// <summary>CPU time of the calling thread (Linux: CLOCK_THREAD_CPUTIME_ID; elsewhere the process's), so that a
/// measurement counts neither other processes nor this process's background threads (JIT, GC).</summary>
internal static class ThreadCpu
{
    private const int ThreadCpuClock = 3;

    public static double Seconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuClock, out var t) == 0) return t.Seconds + t.Nanoseconds * 1e-9;
        return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}

/// <summary>Drops a file from the kernel's page cache (posix_fadvise DONTNEED; Linux), so that it is read from disk again.</summary>
internal static class PageCache
{
    private const int DontNeed = 4;

    public static bool TryEvict(string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        using var handle = File.OpenHandle(path);
        return Fadvise(handle, 0, 0, DontNeed) == 0;
    }

    [DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int Fadvise(Microsoft.Win32.SafeHandles.SafeFileHandle fd, long offset, long length, int advice);
}
