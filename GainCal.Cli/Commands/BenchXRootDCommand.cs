using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using GainCal.Calibration;
using GainCal.Dump;
using GainCal.Simulation;
using GainCal.Storage;

namespace GainCal.Cli.Commands;

/// <summary>
/// `gaincal bench xrootd`: a full-size FED dump read locally (FileStream) and through the managed XRootD
/// client from a server on this machine: raw, through the dump reader's event framing, and through the FED
/// pipeline's decode + accumulate + fit on one thread; medians and XRootD/local ratios.
/// </summary>
internal static class BenchXRootDCommand
{
    public static Command Create()
    {
        var fed = new Option<int>("--fed") { Description = "FED to simulate at full size when the dump is missing (default 1296, ~925 MB)", DefaultValueFactory = _ => 1296 };
        var dir = new Option<DirectoryInfo?>("--dir") { Description = "Where the simulated dump is kept between runs (default: $TMPDIR/gaincal-bench, shared with `bench calibrate`)" };
        var url = new Option<string?>("--url") { Description = "The same dump on a running XRootD server (root://host[:port]//path); default: start Debian's xrootd with deploy/xrootd on 127.0.0.1 serving the dump's directory" };
        var repeat = new Option<int>("--repeat") { Description = "Repetitions of each measurement; medians are printed", DefaultValueFactory = _ => 3 };
        var chunk = new Option<int>("--chunk-mb") { Description = "Bytes per XRootD read request, in MiB (default: the client's, 4)", DefaultValueFactory = _ => XRootDOptions.Default.ChunkBytes >> 20 };
        var inFlight = new Option<int>("--in-flight") { Description = "XRootD read requests kept in flight on the stream's connection (default: the client's, 4; 1 waits for each answer)", DefaultValueFactory = _ => XRootDOptions.Default.ReadsInFlight };
        var command = new Command("xrootd",
            "Reading a full-size FED dump over XRootD versus locally: raw bytes (read and touch every word), the dump reader's event framing, and the FED pipeline's decode, accumulate and fit on one thread; the XRootD/local ratio of each (target <= 1.2).")
        {
            fed, dir, url, repeat, chunk, inFlight,
        };
        command.SetAction(parsed => Run(parsed.GetValue(fed), parsed.GetValue(dir)?.FullName ?? Path.Combine(Path.GetTempPath(), "gaincal-bench"),
            parsed.GetValue(url), Math.Max(1, parsed.GetValue(repeat)),
            XRootDOptions.Default with { ChunkBytes = Math.Clamp(parsed.GetValue(chunk), 1, 64) << 20, ReadsInFlight = Math.Clamp(parsed.GetValue(inFlight), 1, 64) }));
        return command;
    }

    private static int Run(int fed, string directory, string? url, int repeat, XRootDOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        if (url is not null && Storage.StorageByLocation.Problem(url) is { } problem)
        {
            Console.Error.WriteLine($"gaincal: --url {problem}");
            return 2;
        }
        Directory.CreateDirectory(directory);
        var dump = Path.Combine(directory, new DumpFileName(fed, 1).FileName);
        if (!File.Exists(dump))
        {
            Console.WriteLine($"simulating full-size FED {fed} into {dump} ...");
            FedSimulator.Write(dump, fed, FedCalibrationSetup.Default, new SimulationOptions());
        }
        var bytes = new FileInfo(dump).Length;
        string? work = null;
        string? deploy = null;
        try
        {
            if (url is null)
            {
                deploy = FindScripts();
                if (deploy is null)
                {
                    Console.Error.WriteLine("gaincal: no deploy/xrootd beside this gaincal to start a server; pass --url of a server holding the dump");
                    return 2;
                }
                // A directory of its own, with the dump hard-linked in: the server's user takes ownership of what it serves.
                var served = Directory.CreateDirectory(Path.Combine(directory, "xrootd-served")).FullName;
                var linked = Path.Combine(served, Path.GetFileName(dump));
                if (!File.Exists(linked) || new FileInfo(linked).Length != bytes)
                {
                    File.Delete(linked);
                    if (!TryHardLink(dump, linked)) File.Copy(dump, linked);
                }
                work = Path.Combine(directory, "xrootd-work");
                var port = FreePort();
                var (code, output) = Script(deploy, "start.sh", "-d", served, "-w", work, "-p", $"{port}");
                if (code != 0)
                {
                    Console.Error.WriteLine($"gaincal: deploy/xrootd/start.sh failed: {output.Trim()}");
                    return 1;
                }
                url = $"root://127.0.0.1:{port}//{Path.GetFileName(dump)}";
            }
            var storage = new XRootDStorage(options);
            var remoteSize = storage.Stat(url)?.Size ?? throw new StorageException(url, StorageFailure.NotFound, "no such file");
            if (remoteSize != bytes) Console.WriteLine(string.Create(c, $"warning: {url} has {remoteSize} bytes, {dump} has {bytes}"));
            Console.WriteLine(string.Create(c,
                $"dump {dump} ({bytes / 1e6:F0} MB), XRootD {url}; {Environment.ProcessorCount} cores, load {LoadAverage()}; {options.ReadsInFlight} reads of up to {options.ChunkBytes >> 20} MiB in flight; medians of {repeat}"));

            Stream Local() => new FileStream(dump, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            Stream Remote() => storage.OpenRead(url);
            Compare("raw read, touch every word", () => Touch(Local()), () => Touch(Remote()), bytes, repeat);
            Compare("dump reader, frame every event", () => Frame(Local(), dump), () => Frame(Remote(), dump), bytes, repeat);
            var setup = FedCalibrationSetup.Default;
            Compare("decode + accumulate per pattern + fit, one thread", () => Calibrate(Local(), dump, setup), () => Calibrate(Remote(), url, setup), bytes, repeat);
            return 0;
        }
        finally
        {
            if (work is not null && deploy is not null) Script(deploy, "stop.sh", "-w", work);
        }
    }

    private static void Compare(string what, Func<long> local, Func<long> remote, long bytes, int repeat)
    {
        var c = CultureInfo.InvariantCulture;
        // Warm the page cache and the JIT for both, and check that both read the same content.
        if (local() != remote()) throw new InvalidDataException($"{what}: the XRootD stream gave other bytes than the local file");
        var l = new List<double>();
        var r = new List<double>();
        long check = 0;
        for (var i = 0; i < repeat; i++)
        {
            l.Add(Time(local, ref check));
            r.Add(Time(remote, ref check));
        }
        var lm = Median(l);
        var rm = Median(r);
        Console.WriteLine(string.Create(c,
            $"{what}: local {lm:F3} s ({bytes / lm / 1e9:F2} GB/s), XRootD {rm:F3} s ({bytes / rm / 1e9:F2} GB/s), ratio {rm / lm:F2}  (target <= 1.2)"));
    }

    private static double Time(Func<long> read, ref long check)
    {
        var clock = Stopwatch.StartNew();
        check ^= read();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Reads the stream in 1 MiB pieces and XORs every 64-bit word (the `bench calibrate` scan floor, on a stream).</summary>
    private static long Touch(Stream stream)
    {
        using var s = stream;
        var buffer = new byte[1 << 20];
        ulong x = 0;
        int n;
        while ((n = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            foreach (var w in MemoryMarshal.Cast<byte, ulong>(buffer.AsSpan(0, n & ~7))) x ^= w;
        return (long)x;
    }

    /// <summary>Frames every SLink event with the production <see cref="DumpReader"/> and XORs each payload word.</summary>
    private static long Frame(Stream stream, string name)
    {
        using var reader = new DumpReader(stream, name);
        ulong x = 0;
        while (reader.TryReadEvent(out var ev))
            for (var f = 0; f < ev.FragmentCount; f++)
                foreach (var w in ev.Payload(f)) x ^= w;
        return (long)x;
    }

    /// <summary>The FED pipeline's work on one thread: <see cref="FedDumpScanner"/> over the stream, every pattern fitted.</summary>
    private static long Calibrate(Stream stream, string name, FedCalibrationSetup setup)
    {
        using var scanner = new FedDumpScanner(stream, name, setup, PatternShard.All);
        var fitter = new PatternFitter(setup);
        // A digest of every fitted gain and pedestal, so that the two sources are seen to give the same calibration.
        long digest = 0;
        while (scanner.TryReadPattern(out var curves))
            foreach (var fit in fitter.Fit(curves).Fits)
                digest = digest * 31 + BitConverter.SingleToInt32Bits(fit.Gain) + 7L * BitConverter.SingleToInt32Bits(fit.Pedestal);
        return digest;
    }

    /// <summary>The 1-minute load average (Linux), printed because on a shared machine it moves the figures more than the code does.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double Median(List<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static string? FindScripts()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var scripts = Path.Combine(d.FullName, "deploy", "xrootd");
            if (File.Exists(Path.Combine(scripts, "start.sh"))) return scripts;
        }
        return null;
    }

    private static (int Code, string Output) Script(string deploy, string name, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(deploy, name));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "link")]
    private static extern int Link(string existing, string created);

    private static bool TryHardLink(string existing, string created) => OperatingSystem.IsLinux() && Link(existing, created) == 0;
}
