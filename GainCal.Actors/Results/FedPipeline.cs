using System.Runtime.ExceptionServices;
using GainCal.Calibration;
using GainCal.Dump;
using GainCal.Storage;

namespace GainCal.Results;

/// <summary>Where one FED's calibration stands: the dump read so far, and patterns decoded and fitted.</summary>
/// <param name="PatternCount">Patterns of the calibration (the FED is done when this many are fitted).</param>
public readonly record struct FedPipelineProgress(long BytesRead, long Length, long Events, int PatternsDecoded, int PatternsFitted,
    long PixelsFitted, int PatternCount = 0)
{
    public double Fraction => Length > 0 ? (double)BytesRead / Length : 0;
}

/// <summary>What a FED's calibration produced: the table and the scan's report. <paramref name="Fed"/> is the FED the
/// fragment headers name (the file name's when no fragment was read), also when the table is empty because no pixel answered.
/// <paramref name="Patterns"/> says where each pattern starts in <paramref name="Dump"/> (for `gaincal pixel`).
/// <paramref name="Health"/> says how whole and clean the dump was read; its warnings are also in <paramref name="Report"/>.</summary>
public sealed record FedCalibrationOutcome(PixelTable Table, string Report, FedPipelineProgress Progress, int Fed, string Dump,
    PatternIndex Patterns, FedReadCounts Health)
{
    public long PixelsFitted => Progress.PixelsFitted;

    /// <summary>Writes the FED's table, its pattern index and report where the run's layout puts them (each atomically);
    /// returns the table's path.</summary>
    public string Write(RunLayout layout)
    {
        var table = layout.FedTable(Fed);
        Table.Write(table);
        Patterns.WriteBeside(table, Dump, Progress.Length, Table.Run);
        RunLayout.WriteText(layout.FedReport(Fed), Report + Environment.NewLine);
        return table;
    }
}

/// <summary>How a pipeline runs: decoders, fit threads and where they run, the bound on decoded patterns not yet in the
/// table, the read rate, and where the dump's bytes come from.</summary>
public sealed record FedPipelineOptions
{
    private const int MaxDefaultDecoders = 4;

    /// <summary>Scanners decoding the dump, each owning every n-th pattern; 0: one per two cores, at least one and at most
    /// four. Decoding a pattern costs about as much CPU as fitting it, so half the cores decode and the fits take the
    /// rest; and every decoder reads and frames the whole dump, which a second decoder on two cores pays without gain.</summary>
    public int Decoders { get; init; }

    /// <summary>Patterns fitted at once; 0: cores - 1, at least 1. Ignored when <see cref="FitScheduler"/> is given.</summary>
    public int FitThreads { get; init; }

    /// <summary>Where fits run. A node passes its one fit pool, shared by all its FEDs; null: the thread pool, at most
    /// <see cref="FitThreads"/> at once.</summary>
    public TaskScheduler? FitScheduler { get; init; }

    /// <summary>Decoded patterns not yet added to the table (bounds memory); 0: four per fit thread.</summary>
    public int PatternsInFlight { get; init; }

    /// <summary>Average read rate of each decoder in bytes per second; 0: no limit.</summary>
    public double ReadBytesPerSecond { get; init; }

    /// <summary>Where dumps are read from: by default a path from the file system, a root:// URL from its XRootD server.</summary>
    public IStorage Source { get; init; } = StorageByLocation.Default;

    /// <summary>What counts make the FED's outcome a warning (<see cref="FedCalibrationOutcome.Health"/>).</summary>
    public FedWarningLimits Warnings { get; init; } = FedWarningLimits.Default;

    internal int DecoderCount => Decoders > 0 ? Decoders : Math.Clamp(Environment.ProcessorCount / 2, 1, MaxDefaultDecoders);
    internal int FitThreadCount => FitThreads > 0 ? FitThreads : Math.Max(1, Environment.ProcessorCount - 1);
}

/// <summary>The FED the caller expects a dump to hold (a cluster entity owns one FED of one run).</summary>
public readonly record struct ExpectedFed(uint Run, int Fed);

/// <summary>
/// The calibration of one FED: read its dump -> decode -> accumulate per pattern -> fit -> table. The one
/// implementation behind `gaincal calibrate`, `gaincal bench` and the cluster's FedCalibrator. The dump is decoded by
/// one or more scanners (each owning every n-th pattern) on threads of their own; every completed pattern is fitted on
/// the fit scheduler; fitted patterns go into the table (and to the caller's observer) in pattern order, whatever order
/// the fits finish in, so that nothing computed depends on scheduling.
/// </summary>
public sealed class FedPipeline(FedCalibrationSetup setup, FedPipelineOptions? options = null)
{
    private readonly FedPipelineOptions _options = options ?? new FedPipelineOptions();

    public FedCalibrationSetup Setup => setup;

    /// <param name="dump">The dump's location, as the options' source understands it.</param>
    /// <param name="progress">Told after each pattern decoded and each pattern added to the table, from pipeline threads.</param>
    /// <param name="expected">When given, a dump of another run or FED fails (before its first pattern is fitted).</param>
    /// <param name="fitted">Told each fitted pattern in pattern order (e.g. to gather statistics), under the pipeline's lock;
    /// the fits are valid during the call only (their array is filled again by a later pattern).</param>
    public FedCalibrationOutcome Run(string dump, IProgress<FedPipelineProgress>? progress = null, CancellationToken ct = default,
        ExpectedFed? expected = null, Action<PatternFits>? fitted = null)
    {
        var decoders = _options.DecoderCount;
        var scanners = new List<FedDumpScanner>();
        try
        {
            for (var k = 0; k < decoders; k++)
                scanners.Add(new FedDumpScanner(dump, setup, new PatternShard(k, decoders), _options.ReadBytesPerSecond, _options.Source));
            if (expected is { } x && (scanners[0].Fed != x.Fed || scanners[0].Run != x.Run))
                throw new InvalidDataException($"{dump}: holds FED {scanners[0].Fed} of run {scanners[0].Run}, expected FED {x.Fed} of run {x.Run}");
            // Every scanner reads every event: the first one records where each pattern starts.
            var patterns = new PatternIndex(setup.Pattern.PatternCount);
            scanners[0].PatternStarted = patterns.Record;
            return new Execution(this, dump, scanners, progress, expected, fitted).Run(ct, patterns);
        }
        finally
        {
            foreach (var s in scanners) s.Dispose();
        }
    }

    /// <summary>One run of the pipeline: its threads, its ordering of fitted patterns, its counts.</summary>
    private const int MaxSpareFits = 32;

    private sealed class Execution(FedPipeline pipeline, string dump, IReadOnlyList<FedDumpScanner> scanners,
        IProgress<FedPipelineProgress>? progress, ExpectedFed? expected, Action<PatternFits>? fitted)
    {
        private readonly object _gate = new();
        private readonly SortedDictionary<int, (PatternCurves Curves, PatternFits Fits)> _early = [];
        private readonly List<Task> _fits = [];
        // Fit arrays of patterns already in the table, filled again by later fits of as many pixels (no fresh large arrays).
        private readonly List<PixelFit[]> _spareFits = [];
        private FedResultBuilder? _builder;
        private int _next;
        private int _decoded;
        private long _pixelsFitted;

        private FedCalibrationSetup Setup => pipeline.Setup;

        private FedPipelineProgress Progress()
        {
            long bytes = 0, events = 0;
            foreach (var s in scanners)
            {
                var p = s.Progress;
                bytes += p.BytesRead;
                events = Math.Max(events, p.Events);
            }
            return new FedPipelineProgress(bytes / scanners.Count, scanners[0].Progress.Length, events, _decoded, _next, _pixelsFitted,
                Setup.Pattern.PatternCount);
        }

        public FedCalibrationOutcome Run(CancellationToken outer, PatternIndex patterns)
        {
            var o = pipeline._options;
            var fitThreads = o.FitScheduler?.MaximumConcurrencyLevel is { } n and > 0 and < int.MaxValue ? n : o.FitThreadCount;
            var window = Math.Max(o.PatternsInFlight > 0 ? o.PatternsInFlight : 4 * fitThreads, 2 * scanners.Count);
            var scheduler = o.FitScheduler ?? new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, o.FitThreadCount).ConcurrentScheduler;
            using var fitters = new ThreadLocal<PatternFitter>(() => new PatternFitter(Setup));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
            var ct = stop.Token;
            var decoders = scanners.Select(scanner => Task.Factory.StartNew(() =>
            {
                try
                {
                    Decode(scanner, window, scheduler, fitters, stop);
                }
                catch
                {
                    stop.Cancel();
                    throw;
                }
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
            var errors = new List<Exception>();
            Collect(decoders, errors);
            Task[] fits;
            lock (_gate) fits = _fits.ToArray();
            Collect(fits, errors);
            // The first real error (the dump's own: file, offset, problem; or a fit's), not the cancellations it caused.
            if ((errors.FirstOrDefault(e => e is not OperationCanceledException) ?? errors.FirstOrDefault()) is { } first)
                ExceptionDispatchInfo.Capture(first).Throw();
            outer.ThrowIfCancellationRequested();
            var final = Progress();
            progress?.Report(final);
            var fed = expected?.Fed ?? scanners[0].Fed;
            var builder = _builder ?? new FedResultBuilder(fed, scanners[0].Run, Setup);
            var counters = FedScanCounters.Combine(scanners.Select(s => s.Counters));
            var table = builder.Build();
            var tableFed = _builder is null ? fed : scanners[0].Fed;
            var health = FedReadCounts.Of(dump, tableFed, scanners[0].DumpReport, counters, Setup,
                Setup.Cabling.Contains(tableFed) ? Setup.Cabling.ForFed(tableFed) : null, pipeline._options.Warnings);
            var report = string.Join(Environment.NewLine, [
                scanners[0].Report(counters, _decoded),
                .. health.Warnings.Select(w => $"warning: {w}"),
                $"status: {(health.Clean ? "done" : $"done-with-warnings ({health.Warnings.Count} warning{(health.Warnings.Count == 1 ? "" : "s")})")}",
                table.Summary(),
            ]);
            return new FedCalibrationOutcome(table, report, final, tableFed, dump, patterns, health);
        }

        private static void Collect(Task[] tasks, List<Exception> errors)
        {
            try
            {
                Task.WaitAll(tasks);
            }
            catch (AggregateException e)
            {
                errors.AddRange(e.Flatten().InnerExceptions);
            }
        }

        private void Decode(FedDumpScanner scanner, int window, TaskScheduler scheduler, ThreadLocal<PatternFitter> fitters,
            CancellationTokenSource stop)
        {
            var ct = stop.Token;
            while (scanner.TryReadPattern(out var curves))
            {
                ct.ThrowIfCancellationRequested();
                // The scanner calibrates the FED its fragment headers name, as the reference does; a cluster entity owns one FED.
                if (expected is { } x && curves.Fed != x.Fed)
                    throw new InvalidDataException($"{dump}: its fragments are of FED {curves.Fed}, expected FED {x.Fed}");
                lock (_gate)
                {
                    // The FED is known for sure only once its first fragment is read (headers name it).
                    _builder ??= new FedResultBuilder(scanner.Fed, scanner.Run, Setup);
                    _decoded++;
                    progress?.Report(Progress());
                    // Bounded memory: run at most `window` patterns ahead of the table. The decoder of the next pattern
                    // to add is never held (its pattern is inside the window), so the decoders cannot wait on each other.
                    while (curves.Pattern >= _next + window)
                    {
                        Monitor.Wait(_gate, 100);
                        ct.ThrowIfCancellationRequested();
                    }
                    var pattern = curves;
                    _fits.Add(Task.Factory.StartNew(() =>
                    {
                        try
                        {
                            Fitted(pattern, Fit(fitters.Value!, pattern, SpareFits(pattern.PixelCount)));
                        }
                        catch
                        {
                            stop.Cancel();
                            throw;
                        }
                    }, ct, TaskCreationOptions.DenyChildAttach, scheduler));
                }
            }
        }

        private PixelFit[]? SpareFits(int pixels)
        {
            lock (_gate)
            {
                var i = _spareFits.FindLastIndex(f => f.Length == pixels);
                if (i < 0) return null;
                var fits = _spareFits[i];
                _spareFits.RemoveAt(i);
                return fits;
            }
        }

        private static PatternFits Fit(PatternFitter fitter, PatternCurves curves, PixelFit[]? into)
        {
            try
            {
                return fitter.Fit(curves, into);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"fit of pattern {curves.Pattern} failed: {e.Message}", e);
            }
        }

        private void Fitted(PatternCurves curves, PatternFits fits)
        {
            lock (_gate)
            {
                _early.Add(curves.Pattern, (curves, fits));
                while (_early.Remove(_next, out var p))
                {
                    _builder!.Add(p.Curves, p.Fits);
                    fitted?.Invoke(p.Fits);
                    scanners[p.Curves.Pattern % scanners.Count].Recycle(p.Curves);
                    if (_spareFits.Count < MaxSpareFits) _spareFits.Add(p.Fits.Fits);
                    _pixelsFitted += p.Fits.PixelCount;
                    _next++;
                }
                Monitor.PulseAll(_gate);
                progress?.Report(Progress());
            }
        }
    }
}
