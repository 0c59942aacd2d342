using GainCal.Calibration;
using GainCal.Dump;
using GainCal.Results;
using GainCal.Simulation;
using GainCal.Storage;

namespace GainCal.Tests.Results;

public class FedPipelineTests
{
    private static readonly FedCalibrationSetup Setup = FedCalibrationSetup.Default;

    /// <summary>A source that hands out the dump as a forward-only stream (as a remote one would): no length, no seeking.</summary>
    private sealed class ForwardOnlySource : IStorage
    {
        public int Opened;

        public Stream OpenRead(string location)
        {
            Interlocked.Increment(ref Opened);
            return new ForwardOnly(File.OpenRead(location));
        }

        public IReadOnlyList<StorageEntry> List(string directory) => throw new NotSupportedException();
        public StorageEntry? Stat(string location) => throw new NotSupportedException();
        public AtomicWrite BeginWrite(string location) => throw new NotSupportedException();
    }

    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 65536));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    private static string Simulate(TempDirectory dir, int fed = 1296, uint run = 9)
    {
        var path = dir.File($"GainCalibration_{fed}_{run}.dmp");
        FedSimulator.Write(path, fed, Setup, new SimulationOptions { Run = run, Seed = 3, RocsPerFed = 2 });
        return path;
    }

    [Fact]
    public void A_dump_read_through_another_source_gives_the_same_table_and_every_decoder_opens_it()
    {
        using var dir = new TempDirectory();
        var path = Simulate(dir);
        var local = new FedPipeline(Setup).Run(path);
        var source = new ForwardOnlySource();
        var streamed = new FedPipeline(Setup, new FedPipelineOptions { Decoders = 2, FitThreads = 1, Source = source }).Run(path);

        Assert.Equal(2, source.Opened);
        Assert.True(local.Table.ContentEquals(streamed.Table));
        Assert.Equal(local.PixelsFitted, streamed.PixelsFitted);
    }

    [Fact]
    public void Progress_counts_patterns_decoded_and_fitted_and_pixels_and_ends_complete()
    {
        using var dir = new TempDirectory();
        var path = Simulate(dir);
        var seen = new List<FedPipelineProgress>();
        var fits = new List<int>();
        var outcome = new FedPipeline(Setup, new FedPipelineOptions { Decoders = 2, FitThreads = 2 })
            .Run(path, new Collect(seen), fitted: f => fits.Add(f.Pattern));

        var last = seen[^1];
        Assert.Equal(Setup.Pattern.PatternCount, last.PatternsFitted);
        Assert.Equal(last.PatternsDecoded, last.PatternsFitted);
        Assert.Equal(outcome.PixelsFitted, last.PixelsFitted);
        Assert.Equal(new FileInfo(path).Length, last.BytesRead);
        // Fitted patterns reach the table and the observer in pattern order, whatever order the fits end in.
        Assert.Equal(Enumerable.Range(0, Setup.Pattern.PatternCount), fits);
        Assert.All(seen.Zip(seen.Skip(1)), p => Assert.True(p.Item2.PatternsFitted >= p.Item1.PatternsFitted));
    }

    private sealed class Collect(List<FedPipelineProgress> into) : IProgress<FedPipelineProgress>
    {
        public void Report(FedPipelineProgress value)
        {
            lock (into) into.Add(value);
        }
    }

    [Fact]
    public void A_dump_of_another_FED_or_run_than_expected_fails_naming_the_file()
    {
        using var dir = new TempDirectory();
        var path = Simulate(dir);
        var e = Assert.Throws<InvalidDataException>(() => new FedPipeline(Setup).Run(path, expected: new ExpectedFed(9, 1297)));
        Assert.Contains(path, e.Message);
        Assert.Contains("expected FED 1297 of run 9", e.Message);
    }

    [Fact]
    public void Outcome_is_written_where_the_run_layout_says()
    {
        using var dir = new TempDirectory();
        var outcome = new FedPipeline(Setup).Run(Simulate(dir));
        var layout = new RunLayout(dir.File("out"));
        var table = outcome.Write(layout);

        Assert.Equal(Path.Combine(dir.File("out"), "fed", "1296.parquet"), table);
        Assert.True(PixelTable.Read(table).ContentEquals(outcome.Table));
        Assert.StartsWith(outcome.Report, File.ReadAllText(layout.FedReport(1296)));
        Assert.Empty(Directory.GetFiles(layout.FedDirectory, "*.tmp-*"));
    }
}
