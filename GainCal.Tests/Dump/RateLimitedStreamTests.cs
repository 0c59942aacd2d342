using System.Diagnostics;
using GainCal.Dump;

namespace GainCal.Tests.Dump;

public class RateLimitedStreamTests
{
    [Fact]
    public void Delivers_every_byte_unchanged_and_no_faster_than_the_limit()
    {
        var data = new byte[3 << 20];
        new Random(5).NextBytes(data);
        const double bytesPerSecond = 8 << 20;
        var sw = Stopwatch.StartNew();
        using var limited = new RateLimitedStream(new MemoryStream(data), bytesPerSecond);
        var copy = new MemoryStream();
        var buffer = new byte[256 << 10];
        int n;
        while ((n = limited.Read(buffer, 0, buffer.Length)) > 0) copy.Write(buffer, 0, n);
        Assert.Equal(data, copy.ToArray());
        // A lower bound only: the last read may start once the bytes before it are due (3 MB - 256 kB at 8 MB/s).
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds((data.Length - buffer.Length) / bytesPerSecond),
            $"3 MB read in {sw.Elapsed.TotalSeconds:F3} s through an 8 MB/s limit");
    }

    [Fact]
    public void A_dump_reads_the_same_through_the_limit()
    {
        using var files = new DumpFiles();
        // 400 events of 40 words through a 1 kB buffer: every event boundary meets a refill somewhere.
        var words = new List<ulong> { 361025 };
        for (uint l1 = 1; l1 <= 400; l1++)
            words.AddRange(DumpFiles.Fragment(l1, 1200, Enumerable.Range(0, 38).Select(i => DumpFiles.Pair(l1, (uint)i)).ToArray()));
        var path = files.Write("GainCalibration_1200_361025.dmp", words);
        using var plain = new DumpReader(File.OpenRead(path), path, 1024);
        using var limited = new DumpReader(new RateLimitedStream(File.OpenRead(path), 64 << 20), path, 1024);
        Assert.Equal(361025u, limited.RunNumber);
        var events = 0;
        while (plain.TryReadEvent(out var a))
        {
            Assert.True(limited.TryReadEvent(out var b));
            Assert.Equal((a.L1Id, a.Offset, a.FragmentCount), (b.L1Id, b.Offset, b.FragmentCount));
            events++;
        }
        Assert.False(limited.TryReadEvent(out _));
        Assert.Equal(400, events);
    }

    [Fact]
    public void A_limit_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimitedStream(new MemoryStream(), 0));
}
