using GainCal.Dump;
using static GainCal.Tests.Dump.DumpFiles;

namespace GainCal.Tests.Dump;

public class DumpReaderTests : IDisposable
{
    private const ulong Run = 11169;
    private readonly DumpFiles _files = new();

    public void Dispose() => _files.Dispose();

    private sealed record Ev(long Index, uint L1, long Offset, (int Fed, ulong[] Payload, bool Crc)[] Fragments);

    private static List<Ev> ReadAll(DumpReader reader)
    {
        var list = new List<Ev>();
        while (reader.TryReadEvent(out var e))
        {
            var frags = new (int, ulong[], bool)[e.FragmentCount];
            for (int i = 0; i < frags.Length; i++) frags[i] = (e.FedId(i), e.Payload(i).ToArray(), e.CrcDropped(i));
            list.Add(new Ev(e.Index, e.L1Id, e.Offset, frags));
        }
        return list;
    }

    private static IEnumerable<ulong> Seq(params IEnumerable<ulong>[] parts) => parts.SelectMany(p => p);

    [Fact]
    public void Reads_run_word_events_and_payload_in_order()
    {
        string path = _files.Write("GainCalibration_1205_11169.dmp", Seq(
            [Run],
            Fragment(1, 1205, Pair(0x11, 0x22), Pair(0x33, 0)),
            Fragment(2, 1205),
            Fragment(3, 1205, Pair(0x44, 0x55))));
        using var r = new DumpReader(path);
        Assert.Equal(11169u, r.RunNumber);
        var evs = ReadAll(r);
        Assert.Equal([1u, 2u, 3u], evs.Select(e => e.L1));
        Assert.Equal([0L, 1L, 2L], evs.Select(e => e.Index));
        Assert.Equal([8L, 40L, 56L], evs.Select(e => e.Offset));
        Assert.Equal([Pair(0x11, 0x22), Pair(0x33, 0)], evs[0].Fragments.Single().Payload);
        Assert.Empty(evs[1].Fragments.Single().Payload);
        Assert.All(evs, e => Assert.Equal(1205, e.Fragments.Single().Fed));
        Assert.Equal(3, r.Report.Events);
        Assert.Empty(r.Report.Messages);
        Assert.False(r.Report.Truncated);
        Assert.Equal(r.Length, r.Position);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(8)]
    public void Too_short_file_is_not_a_dump(int bytes)
    {
        string path = Path.Combine(_files.Dir, "short.dmp");
        File.WriteAllBytes(path, new byte[bytes]);
        var ex = Assert.Throws<DumpFormatException>(() => new DumpReader(path));
        Assert.StartsWith($"{path}: at byte 0: not a pixel dump: file too short ({bytes} bytes", ex.Message);
        Assert.Equal(path, ex.File);
    }

    [Fact]
    public void File_without_any_header_is_not_a_dump()
    {
        string path = Path.Combine(_files.Dir, "notes.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("this is a text file, not a pixel dump\n", 100)));
        var ex = Assert.Throws<DumpFormatException>(() => new DumpReader(path));
        Assert.StartsWith($"{path}: at byte 8: not a pixel dump: no complete SLink fragment", ex.Message);
        Assert.Equal(8, ex.Offset);
    }

    [Fact]
    public void First_fragment_without_trailer_is_not_a_dump()
    {
        string path = _files.Write("cut.dmp", [Run, 7, SLinkWord.Header(1, 1205), Pair(1, 2), Pair(3, 4)]);
        var ex = Assert.Throws<DumpFormatException>(() => new DumpReader(path));
        Assert.Equal($"{path}: at byte 16: not a pixel dump: the first fragment has no SLink trailer before the end of the file", ex.Message);
    }

    [Fact]
    public void File_cut_inside_a_fragment_keeps_complete_events()
    {
        var words = Seq([Run], Fragment(1, 1205, Pair(1, 2)), Fragment(2, 1205, Pair(3, 4)), Fragment(3, 1205, Pair(5, 6), Pair(7, 8))).ToList();
        string path = _files.Write("GainCalibration_1205_1.dmp", words.Take(words.Count - 2));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal([1u, 2u], evs.Select(e => e.L1));
        Assert.True(r.Report.Truncated);
        Assert.Equal(8 + 3 * 8 * 2, r.Report.TruncatedAt);
        Assert.Equal(2, r.Report.Events);
        Assert.Contains(r.Report.Messages, m => m.StartsWith($"{path}: at byte 56: file ends inside the fragment") && m.Contains("2 complete events kept"));
    }

    [Fact]
    public void Length_not_a_multiple_of_8_keeps_all_events_and_reports()
    {
        string path = _files.Write("odd.dmp", Seq([Run], Fragment(1, 1205, Pair(1, 2)), Fragment(2, 1205)), extraBytes: 5);
        using var r = new DumpReader(path);
        Assert.Equal(2, ReadAll(r).Count);
        Assert.True(r.Report.Truncated);
        Assert.Equal(r.Length - 5, r.Report.TruncatedAt);
        Assert.Contains(r.Report.Messages, m => m.StartsWith($"{path}: at byte {r.Length - 5}: file length is not a multiple of 8: the last 5 bytes"));
    }

    [Fact]
    public void Garbage_between_events_is_skipped_up_to_the_next_header()
    {
        ulong[] garbage = [0x1234, 0xDEADBEEF00000000, 0xA000000000000004, 0x5000000000000008, 0xFFFFFFFFFFFFFFFF];
        string path = _files.Write("garbage.dmp", Seq([Run], Fragment(1, 1205, Pair(1, 2)), garbage, Fragment(2, 1205, Pair(3, 4)), Fragment(3, 1205)));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal([1u, 2u, 3u], evs.Select(e => e.L1));
        Assert.Equal([Pair(3, 4)], evs[1].Fragments.Single().Payload);
        Assert.Equal(5, r.Report.WordsSkipped);
        Assert.Equal(1, r.Report.Resyncs);
        Assert.Equal($"{path}: at byte 32: expected an SLink header: skipped 5 words (40 bytes) of garbage up to the header at byte 72", Assert.Single(r.Report.Messages));
    }

    [Fact]
    public void Garbage_before_the_first_header_is_skipped()
    {
        string path = _files.Write("lead.dmp", Seq([Run, 1, 2, 3], Fragment(9, 1205)));
        using var r = new DumpReader(path);
        Assert.Equal([9u], ReadAll(r).Select(e => e.L1));
        Assert.Equal(3, r.Report.WordsSkipped);
        Assert.Equal(1, r.Report.Resyncs);
    }

    [Fact]
    public void Garbage_word_carrying_the_event_number_merges_like_the_reference()
    {
        // The reference compares the event number of the word after a trailer, even when that word is garbage.
        ulong garbage = 5UL << 32;
        string path = _files.Write("merge.dmp", Seq([Run], Fragment(5, 1200, Pair(1, 1)), [garbage], Fragment(6, 1201, Pair(2, 2)), Fragment(7, 1200)));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal(2, evs.Count);
        Assert.Equal([1200, 1201], evs[0].Fragments.Select(f => f.Fed));
        Assert.Equal(5u, evs[0].L1);
        Assert.Equal(7u, evs[1].L1);
    }

    [Fact]
    public void Fed_id_differing_from_file_name_is_counted_and_kept()
    {
        string path = _files.Write("GainCalibration_1205_11169.dmp", Seq([Run], Fragment(1, 1205), Fragment(2, 1206, Pair(1, 2)), Fragment(3, 1205)));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal([1205, 1206, 1205], evs.Select(e => e.Fragments.Single().Fed));
        Assert.Equal(1, r.Report.FedIdMismatches);
        Assert.Equal($"{path}: at byte 24: header FED id 1206 differs from FED 1205 in the file name; fragment read as FED 1206, as the reference does", Assert.Single(r.Report.Messages));
    }

    [Fact]
    public void L1Id_gaps_and_duplicates_are_counted_and_reading_order_kept()
    {
        string path = _files.Write("GainCalibration_1205_1.dmp", Seq([Run],
            Fragment(1, 1205, Pair(1, 0)), Fragment(2, 1205, Pair(2, 0)), Fragment(5, 1205, Pair(5, 0)),
            Fragment(6, 1205, Pair(61, 0)), Fragment(6, 1205, Pair(62, 0)), Fragment(7, 1205, Pair(7, 0)),
            Fragment(4, 1205, Pair(4, 0))));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal([1u, 2u, 5u, 6u, 7u, 4u], evs.Select(e => e.L1));
        Assert.Equal([0L, 1, 2, 3, 4, 5], evs.Select(e => e.Index));
        // The second fragment of the same FED and L1ID replaces the first, as FEDRawDataCollection does in the reference.
        Assert.Equal([Pair(62, 0)], evs[3].Fragments.Single().Payload);
        Assert.Equal(1, r.Report.L1IdGaps);
        Assert.Equal(2, r.Report.L1IdsMissing);
        Assert.Equal(1, r.Report.L1IdDuplicates);
        Assert.Equal(1, r.Report.L1IdDecreases);
        Assert.Equal(7, r.Report.Fragments);
    }

    [Fact]
    public void Fragments_of_different_feds_with_one_L1Id_form_one_event()
    {
        string path = _files.Write("multi.dmp", Seq([Run], Fragment(1, 1200, Pair(1, 0)), Fragment(1, 1201, Pair(2, 0)), Fragment(2, 1200)));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal(2, evs.Count);
        Assert.Equal([1200, 1201], evs[0].Fragments.Select(f => f.Fed));
        Assert.Equal(0, r.Report.L1IdDuplicates);
    }

    [Fact]
    public void Crc_modified_trailer_flags_the_fragment()
    {
        var bad = Fragment(2, 1205, Pair(3, 4)).ToArray();
        bad[^1] |= 4;
        string path = _files.Write("crc.dmp", Seq([Run], Fragment(1, 1205, Pair(1, 2)), bad, Fragment(3, 1205, Pair(5, 6))));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal([1u, 2u, 3u], evs.Select(e => e.L1));
        Assert.Equal([false, true, false], evs.Select(e => e.Fragments.Single().Crc));
        Assert.Equal([Pair(3, 4)], evs[1].Fragments.Single().Payload);
        Assert.Equal(1, r.Report.CrcDroppedFragments);
        Assert.Contains(r.Report.Messages, m => m.StartsWith($"{path}: at byte 32: trailer has the CRC-modified bit set"));
    }

    [Fact]
    public void Crc_bit_word_with_wrong_length_is_payload_as_in_the_reference()
    {
        ulong lookalike = SLinkWord.Trailer(9) | 4;
        string path = _files.Write("crc2.dmp", Seq([Run], Fragment(1, 1205, lookalike, Pair(1, 2)), Fragment(2, 1205)));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal([lookalike, Pair(1, 2)], evs[0].Fragments.Single().Payload);
        Assert.Equal(0, r.Report.CrcDroppedFragments);
        Assert.Equal(2, evs.Count);
    }

    [Fact]
    public void Trailer_length_mismatch_is_counted()
    {
        var frag = Fragment(1, 1205, Pair(1, 2)).ToArray();
        frag[^1] = SLinkWord.Trailer(7);
        string path = _files.Write("len.dmp", Seq([Run], frag, Fragment(2, 1205)));
        using var r = new DumpReader(path);
        Assert.Equal(2, ReadAll(r).Count);
        Assert.Equal(1, r.Report.TrailerLengthMismatches);
    }

    [Fact]
    public void Header_in_word_0_gives_run_0_and_skips_that_fragment_like_the_reference()
    {
        string path = _files.Write("norun.dmp", Seq(Fragment(1, 1205, Pair(1, 2)), Fragment(2, 1205)));
        using var r = new DumpReader(path);
        Assert.Equal(0u, r.RunNumber);
        Assert.Equal([2u], ReadAll(r).Select(e => e.L1));
        Assert.Equal(2, r.Report.WordsSkipped);
        Assert.Contains(r.Report.Messages, m => m.StartsWith($"{path}: at byte 0: word 0 is an SLink header"));
    }

    [Fact]
    public void Fragment_larger_than_the_limit_is_dropped_and_reading_goes_on()
    {
        var big = Enumerable.Range(0, 20).Select(i => Pair((uint)i + 1, 0)).ToArray();
        var words = Seq([Run], Fragment(1, 1205, Pair(1, 0)), Fragment(2, 1205, big), Fragment(3, 1205, Pair(3, 0))).ToList();
        using var r = new DumpReader(new MemoryStream(WordsToBytes(words)), "big.dmp", bufferBytes: 64, maxFragmentWords: 8);
        Assert.Equal([1u, 3u], ReadAll(r).Select(e => e.L1));
        Assert.Equal(1, r.Report.OversizedFragments);
        Assert.Equal(21, r.Report.WordsSkipped);
    }

    [Fact]
    public void Messages_are_bounded_and_counts_exact()
    {
        // Every other L1ID missing: 149 gaps, each a message; and a file name that every fragment contradicts, said once.
        var words = new List<ulong> { Run };
        for (uint i = 0; i < 150; i++) words.AddRange(Fragment(2 * i, 1300));
        string path = _files.Write("GainCalibration_1205_1.dmp", words);
        using var r = new DumpReader(path);
        Assert.Equal(150, ReadAll(r).Count);
        Assert.Equal(150, r.Report.FedIdMismatches);
        Assert.Equal(149, r.Report.L1IdGaps);
        Assert.Single(r.Report.Messages, m => m.Contains("differs from FED 1205 in the file name"));
        Assert.Equal(100, r.Report.Messages.Count);
        Assert.Equal(50, r.Report.MessagesSuppressed);
    }

    [Fact]
    public void Event_straddling_tiny_buffer_reads_the_same()
    {
        var words = new List<ulong> { Run };
        for (uint i = 1; i <= 30; i++) words.AddRange(Fragment(i, 1205, Enumerable.Range(0, (int)(i * 7 % 23)).Select(k => Pair(i, (uint)k)).ToArray()));
        byte[] bytes = WordsToBytes(words);
        using var big = new DumpReader(new MemoryStream(bytes), "a.dmp");
        using var tiny = new DumpReader(new MemoryStream(bytes), "a.dmp", bufferBytes: 64);
        var a = ReadAll(big);
        var b = ReadAll(tiny);
        Assert.Equal(30, a.Count);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal((a[i].Index, a[i].L1, a[i].Offset), (b[i].Index, b[i].L1, b[i].Offset));
            Assert.Equal(a[i].Fragments.Single().Payload, b[i].Fragments.Single().Payload);
        }
    }

    [Fact]
    public void Reading_on_after_the_end_stays_false_and_dispose_closes_the_stream()
    {
        var stream = new MemoryStream(WordsToBytes(Seq([Run], Fragment(1, 1205)).ToList()));
        var r = new DumpReader(stream, "one.dmp");
        Assert.True(r.TryReadEvent(out _));
        Assert.False(r.TryReadEvent(out _));
        Assert.False(r.TryReadEvent(out _));
        r.Dispose();
        Assert.False(stream.CanRead);
        Assert.Throws<ObjectDisposedException>(() => r.TryReadEvent(out _));
    }

    [Fact]
    public void Cut_after_a_complete_fragment_of_the_same_event_keeps_that_fragment()
    {
        var words = Seq([Run], Fragment(1, 1200, Pair(1, 0)), Fragment(2, 1200, Pair(2, 0)), Fragment(2, 1201, Pair(3, 0), Pair(4, 0))).ToList();
        string path = _files.Write("multicut.dmp", words.Take(words.Count - 1));
        using var r = new DumpReader(path);
        var evs = ReadAll(r);
        Assert.Equal([1u, 2u], evs.Select(e => e.L1));
        Assert.Equal([1200], evs[1].Fragments.Select(f => f.Fed));
        Assert.Equal(56, r.Report.TruncatedAt);
        Assert.Contains(r.Report.Messages, m => m.Contains("2 complete events kept"));
    }

    [Fact]
    public void Garbage_at_the_end_is_skipped_and_reported()
    {
        string path = _files.Write("tail.dmp", Seq([Run], Fragment(1, 1205), [1, 2, 3, 4]));
        using var r = new DumpReader(path);
        Assert.Single(ReadAll(r));
        Assert.Equal(4, r.Report.WordsSkipped);
        Assert.Equal($"{path}: at byte 24: expected an SLink header: skipped 4 words (32 bytes) to the end of the file without finding one", Assert.Single(r.Report.Messages));
        Assert.False(r.Report.Truncated);
    }

    [Fact]
    public void Resync_across_many_buffer_refills_counts_every_word()
    {
        var garbage = Enumerable.Range(1, 1000).Select(i => (ulong)i);
        var words = Seq([Run], Fragment(1, 1205, Pair(1, 1)), garbage, Fragment(2, 1205, Pair(2, 2))).ToList();
        using var r = new DumpReader(new MemoryStream(WordsToBytes(words)), "resync.dmp", bufferBytes: 64);
        var evs = ReadAll(r);
        Assert.Equal([Pair(2, 2)], evs[1].Fragments.Single().Payload);
        Assert.Equal(1000, r.Report.WordsSkipped);
        Assert.Equal(1, r.Report.Resyncs);
        Assert.Equal(8 + 24 + 8000, evs[1].Offset);
    }

    [Fact]
    public void Steady_state_reading_allocates_nothing_per_event()
    {
        string path = Path.Combine(_files.Dir, "GainCalibration_1205_1.dmp");
        using (var w = new DumpWriter(path, 1))
            for (uint i = 1; i <= 20000; i++)
                w.WriteEvent(i, 1205, Enumerable.Range(0, (int)(i % 300)).Select(k => (uint)k + 1).ToArray());
        // A small buffer forces many refills and events straddling its end.
        using var r = new DumpReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1), path, bufferBytes: 1 << 14);
        for (int i = 0; i < 100; i++) Assert.True(r.TryReadEvent(out _));
        long before = GC.GetAllocatedBytesForCurrentThread();
        long events = 0, words = 0;
        while (r.TryReadEvent(out var ev))
        {
            events++;
            words += ev.Payload(0).Length;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(19900, events);
        Assert.True(words > 1_000_000);
        // One-off runtime allocations (tiering, stream internals) stay; anything per event or per refill would exceed this.
        Assert.True(allocated < events, $"{allocated} bytes allocated while reading {events} events");
    }

    internal static byte[] WordsToBytes(IReadOnlyList<ulong> words)
    {
        var bytes = new byte[words.Count * 8];
        for (int i = 0; i < words.Count; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), words[i]);
        return bytes;
    }
}
