using CsCheck;
using GainCal.Dump;

namespace GainCal.Tests.Dump;

public class DumpRoundTripTests
{
    private sealed record Written(uint L1, int Fed, uint[] Words);

    // Pixel words whose high half would start with 0xA are left out: paired with some low halves they can match
    // the reference trailer mask, and the reference itself would end the fragment there.
    private static readonly Gen<uint> PixelWordGen = Gen.UInt.Where(w => w >> 28 != 0xA);

    private static readonly Gen<(uint Run, Written[] Events, int Buffer)> Files =
        Gen.Select(
            Gen.UInt,
            Gen.Select(Gen.UInt[1, 3], Gen.Int[0, 4095], PixelWordGen.Array[0, 60]).Array[1, 40],
            Gen.Int[8, 64],
            Gen.UInt[0, 0xFFFF00],
            (run, evs, bufferWords, firstL1) =>
            {
                // Consecutive L1IDs must differ, or the reader merges the fragments into one event as the reference does.
                uint l1 = firstL1;
                var written = evs.Select(e => new Written(l1 += e.Item1, e.Item2, e.Item3)).ToArray();
                return (run, written, bufferWords * 8);
            });

    [Fact]
    public void Reader_of_writer_gives_back_the_events()
    {
        Files.Sample(f =>
        {
            var ms = new MemoryStream();
            using (var w = new DumpWriter(new NonClosing(ms), f.Run))
                foreach (var e in f.Events) w.WriteEvent(e.L1, e.Fed, e.Words);
            byte[] bytes = ms.ToArray();
            Assert.Equal(8L * (1 + f.Events.Sum(e => 2 + (e.Words.Length + 1) / 2)), bytes.Length);

            using var r = new DumpReader(new MemoryStream(bytes), "prop.dmp", f.Buffer);
            Assert.Equal(f.Run, r.RunNumber);
            int i = 0;
            while (r.TryReadEvent(out var ev))
            {
                var expected = f.Events[i];
                Assert.Equal(i, ev.Index);
                Assert.Equal(expected.L1, ev.L1Id);
                Assert.Equal(1, ev.FragmentCount);
                Assert.Equal(expected.Fed, ev.FedId(0));
                Assert.False(ev.CrcDropped(0));
                var payload = ev.Payload(0);
                Assert.Equal((expected.Words.Length + 1) / 2, payload.Length);
                for (int k = 0; k < expected.Words.Length; k++)
                    Assert.Equal(expected.Words[k], (uint)(payload[k / 2] >> (32 * (k & 1))));
                if ((expected.Words.Length & 1) != 0)
                    Assert.Equal(0u, (uint)(payload[^1] >> 32));
                i++;
            }
            Assert.Equal(f.Events.Length, i);
            Assert.Equal(f.Events.Length, r.Report.Events);
            var steps = f.Events.Zip(f.Events.Skip(1), (a, b) => (long)b.L1 - a.L1).ToArray();
            Assert.Equal(steps.Count(d => d > 1), r.Report.L1IdGaps);
            Assert.Equal(steps.Sum(d => d - 1), r.Report.L1IdsMissing);
            Assert.Equal(r.Report.L1IdGaps, r.Report.Messages.Count);
            Assert.Equal((0, 0L, false, 0L, 0L), (r.Report.Resyncs, r.Report.WordsSkipped, r.Report.Truncated, r.Report.L1IdDuplicates, r.Report.TrailerLengthMismatches));
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void Writer_lays_out_words_as_the_reference_reads_them()
    {
        var ms = new MemoryStream();
        using (var w = new DumpWriter(new NonClosing(ms), 11169))
            w.WriteEvent(0x42, 1205, [0x11111111, 0x22222222, 0x33333333]);
        var words = new ulong[ms.Length / 8];
        Buffer.BlockCopy(ms.ToArray(), 0, words, 0, (int)ms.Length);
        Assert.Equal(
            [11169UL, 0x5000004200000000UL | (1205UL << 8), 0x2222222211111111UL, 0x0000000033333333UL, 0xA000000400000000UL],
            words);
    }

    [Fact]
    public void Writer_refuses_a_fragment_the_reference_could_not_end()
    {
        using var w = new DumpWriter(new MemoryStream(), 1);
        Assert.Throws<ArgumentException>(() => w.WriteEvent(1, 1205, new uint[2 * 16382]));
        w.WriteEvent(1, 1205, new uint[2 * 16381]);
    }

    [Fact]
    public void Raw_words_allow_fault_injection()
    {
        var ms = new MemoryStream();
        using (var w = new DumpWriter(new NonClosing(ms), 7))
        {
            w.WriteEvent(1, 1205, [1, 2]);
            w.WriteRawWord(0xDEAD);
            w.WriteEvent(2, 1205, [3, 4]);
        }
        using var r = new DumpReader(new MemoryStream(ms.ToArray()), "f.dmp");
        int n = 0;
        while (r.TryReadEvent(out _)) n++;
        Assert.Equal(2, n);
        Assert.Equal(1, r.Report.WordsSkipped);
    }

    /// <summary>Keeps the MemoryStream readable after the writer disposes its stream.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
