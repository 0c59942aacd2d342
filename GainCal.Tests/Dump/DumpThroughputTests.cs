using System.Diagnostics;
using System.Runtime.InteropServices;
using GainCal.Dump;

namespace GainCal.Tests.Dump;

/// <summary>Reader throughput against a plain read of the same file (both from page cache). Run with the Slow category.</summary>
public class DumpThroughputTests(ITestOutputHelper output)
{
    private const long TargetBytes = 512L << 20;

    [Fact]
    [Trait("Category", "Slow")]
    public void Reader_reaches_70_percent_of_a_plain_scan()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gaincal-throughput-{Guid.NewGuid():N}.dmp");
        try
        {
            WriteFile(path);
            long length = new FileInfo(path).Length;
            double scan = 0, reader = 0, readerOnly = 0;
            ulong scanSum = 0, readerSum = 0;
            for (int round = 0; round < 4; round++)
            {
                // Round 0 warms the page cache and the JIT; the best of the remaining rounds counts.
                var (s, sSum) = Time(() => PlainScan(path));
                var (r, rSum) = Time(() => ReadAllPayload(path, touch: true));
                var (o, _) = Time(() => ReadAllPayload(path, touch: false));
                if (round == 0) continue;
                scan = Math.Max(scan, length / s / 1e6);
                reader = Math.Max(reader, length / r / 1e6);
                readerOnly = Math.Max(readerOnly, length / o / 1e6);
                scanSum = sSum;
                readerSum = rSum;
            }
            output.WriteLine($"file {length / 1e6:F0} MB: plain scan {scan:F0} MB/s, TryReadEvent + touching every payload word {reader:F0} MB/s ({reader / scan:P0}), TryReadEvent alone {readerOnly:F0} MB/s");
            Assert.NotEqual(0UL, readerSum);
            Assert.NotEqual(scanSum, readerSum); // the scan also sums run, header and trailer words
            Assert.True(reader >= 0.7 * scan, $"reader {reader:F0} MB/s is below 70% of the plain scan {scan:F0} MB/s");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void WriteFile(string path)
    {
        var rng = new Random(12345);
        // A FED with 384 ROCs and 6 injected pixels each per pattern: about 2300 hits per event.
        var words = new uint[2304];
        for (int i = 0; i < words.Length; i++)
            words[i] = PixelWord.EncodeHit(1 + rng.Next(48), 1 + rng.Next(8), rng.Next(80), rng.Next(52), rng.Next(256), layer1: false);
        using var w = new DumpWriter(path, 500000);
        long eventBytes = 8L * (2 + words.Length / 2);
        for (uint l1 = 1; l1 * eventBytes < TargetBytes; l1++)
            w.WriteEvent(l1, 1205, words.AsSpan(0, words.Length - (int)(l1 % 64)));
    }

    private static (double Seconds, ulong Sum) Time(Func<ulong> run)
    {
        var sw = Stopwatch.StartNew();
        ulong sum = run();
        return (sw.Elapsed.TotalSeconds, sum);
    }

    private static ulong PlainScan(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = new byte[4 << 20];
        ulong sum = 0;
        int n;
        while ((n = fs.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            foreach (ulong x in MemoryMarshal.Cast<byte, ulong>(buffer.AsSpan(0, n & ~7)))
                sum += x;
        return sum;
    }

    private static ulong ReadAllPayload(string path, bool touch)
    {
        using var r = new DumpReader(path);
        ulong sum = 0;
        while (r.TryReadEvent(out var ev))
        {
            if (!touch)
            {
                sum += (ulong)ev.Payload(0).Length;
                continue;
            }
            for (int f = 0; f < ev.FragmentCount; f++)
                foreach (ulong x in ev.Payload(f))
                    sum += x;
        }
        return sum;
    }
}
