using GainCal.Calibration;
using GainCal.Dump;
using GainCal.Tests.Cluster;

namespace GainCal.Tests.Dump;

/// <summary>Mutated real dumps (the head of a simulated FED's dump: bytes flipped, words overwritten, cut, spliced,
/// or pure noise) through the reader and the FED scanner a node runs: each ends, or refuses the file with a
/// format error naming it; nothing else escapes and nothing hangs. Seeded and bounded.</summary>
public class DumpFuzzTests
{
    const int Seed = 1415;
    static readonly TimeSpan PerCase = TimeSpan.FromSeconds(20);

    static byte[] Head(string dir)
    {
        var (sim, _) = SimulatedRun.CopyOf(dir, 271828, [1200, 1296], 4);
        using var f = File.OpenRead(sim.DumpPath(1200));
        var head = new byte[256 * 1024];
        f.ReadExactly(head);
        return head;
    }

    static byte[] Mutant(Random r, byte[] valid, int i)
    {
        var b = (byte[])valid.Clone();
        switch (i % 5)
        {
            case 0:
                r.NextBytes(b.AsSpan(0, r.Next(8, 4096)));
                return b[..r.Next(8, 4096)];
            case 1:
                for (var k = r.Next(1, 64); k > 0; k--) b[r.Next(b.Length)] ^= (byte)(1 << r.Next(8));
                return b;
            case 2:
                for (var k = r.Next(1, 16); k > 0; k--) BitConverter.TryWriteBytes(b.AsSpan(8 * r.Next(b.Length / 8)), r.NextInt64());
                return b;
            case 3:
                return b[..r.Next(b.Length)];
            default:
            {
                var at = r.Next(b.Length);
                var chunk = new byte[r.Next(1, 300)];
                r.NextBytes(chunk);
                return [.. b[..at], .. chunk, .. b[at..]];
            }
        }
    }

    static bool Refusal(Exception e) => e is DumpFormatException or InvalidDataException or EndOfStreamException;

    [Fact]
    public async Task Reader_ends_or_refuses_every_mutated_dump()
    {
        using var dir = new TempDir();
        var valid = Head(dir.Path);
        var r = new Random(Seed);
        int ended = 0, refused = 0;
        for (var i = 0; i < 400; i++)
        {
            var bytes = Mutant(r, valid, i);
            var ok = await Task.Run(() =>
            {
                try
                {
                    using var reader = new DumpReader(new MemoryStream(bytes), "GainCalibration_1200_271828.dmp");
                    while (reader.TryReadEvent(out _))
                    {
                    }
                    return true;
                }
                catch (Exception e) when (Refusal(e))
                {
                    Assert.Contains("GainCalibration_1200_271828.dmp", e.Message);
                    return false;
                }
            }).WaitAsync(PerCase);
            if (ok) ended++;
            else refused++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{ended} read to the end, {refused} refused");
        Assert.True(ended > 0 && refused > 0, $"{ended} ended, {refused} refused: the mutations should produce both");
    }

    [Fact]
    public async Task Fed_scanner_ends_or_refuses_every_mutated_dump()
    {
        using var dir = new TempDir();
        var valid = Head(dir.Sub("in"));
        var r = new Random(Seed + 1);
        var path = Path.Combine(dir.Path, "GainCalibration_1200_271828.dmp");
        int ended = 0, refused = 0;
        for (var i = 0; i < 60; i++)
        {
            File.WriteAllBytes(path, Mutant(r, valid, i));
            var ok = await Task.Run(() =>
            {
                try
                {
                    using var scanner = new FedDumpScanner(path, FedCalibrationSetup.Default);
                    while (scanner.TryReadPattern(out _))
                    {
                    }
                    return true;
                }
                catch (Exception e) when (Refusal(e))
                {
                    return false;
                }
            }).WaitAsync(PerCase);
            if (ok) ended++;
            else refused++;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{ended} scanned to the end, {refused} refused");
        Assert.True(refused > 0, "no mutated dump was refused");
    }
}
