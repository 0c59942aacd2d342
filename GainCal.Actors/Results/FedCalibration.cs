using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using GainCal.Calibration;

namespace GainCal.Results;

/// <summary>What a single-FED calibration produced: the table and the scan's report. <paramref name="Fed"/> is the FED the
/// fragment headers name (the file name's when no fragment was read), also when the table is empty because no pixel answered.</summary>
public sealed record FedCalibrationOutcome(PixelTable Table, string Report, FedScanProgress Progress, int PixelsFitted, int Fed,
    PatternIndex Patterns);

/// <summary>
/// The single-process calibration of one FED (the reference's local cmsRun of one FED). The dump is
/// decoded by one scanner per core, each owning every n-th pattern, while completed patterns are fitted
/// on worker threads; the results land in one table whatever order the patterns finish in.
/// </summary>
public static class FedCalibration
{
    private const int MaxDefaultDecoders = 4;

    public static PixelTable Run(string dumpPath, FedCalibrationSetup setup, IProgress<FedScanProgress>? progress = null,
        CancellationToken ct = default) => Calibrate(dumpPath, setup, progress, ct).Table;

    public static FedCalibrationOutcome Calibrate(string dumpPath, FedCalibrationSetup setup,
        IProgress<FedScanProgress>? progress = null, CancellationToken ct = default, int fitThreads = 0, int decoders = 0)
    {
        // Every decoder reads the whole dump; past a few of them the extra reading outweighs the decoding they share.
        var decoderCount = decoders > 0 ? decoders : Math.Min(Environment.ProcessorCount, MaxDefaultDecoders);
        var workers = fitThreads > 0 ? fitThreads : Math.Max(1, Environment.ProcessorCount - 1);
        var scanners = new List<FedDumpScanner>();
        try
        {
            for (var k = 0; k < decoderCount; k++) scanners.Add(new FedDumpScanner(dumpPath, setup, new PatternShard(k, decoderCount)));
            // Every scanner reads every event: one of them records where each pattern starts.
            var patterns = new PatternIndex(setup.Pattern.PatternCount);
            scanners[0].PatternStarted = patterns.Record;
            return Calibrate(scanners, setup, workers, progress, ct) with { Patterns = patterns };
        }
        finally
        {
            foreach (var s in scanners) s.Dispose();
        }
    }

    private static FedCalibrationOutcome Calibrate(IReadOnlyList<FedDumpScanner> scanners, FedCalibrationSetup setup, int workers,
        IProgress<FedScanProgress>? progress, CancellationToken ct)
    {
        var queue = Channel.CreateBounded<PatternCurves>(new BoundedChannelOptions(4 * workers));
        FedResultBuilder? builder = null;
        var gate = new object();
        var patternsDone = 0;
        FedScanProgress Progress()
        {
            var p = scanners.Select(s => s.Progress).ToList();
            return new FedScanProgress(p.Sum(x => x.BytesRead) / p.Count, p[0].Length, p.Max(x => x.Events), p.Sum(x => x.Patterns));
        }
        var fitTasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var fitter = new PatternFitter(setup);
            await foreach (var curves in queue.Reader.ReadAllAsync(ct))
            {
                var fits = fitter.Fit(curves);
                lock (gate) builder!.Add(curves, fits);
            }
        }, ct)).ToArray();
        var decodeTasks = scanners.Select(scanner => Task.Run(async () =>
        {
            while (scanner.TryReadPattern(out var curves))
            {
                ct.ThrowIfCancellationRequested();
                lock (gate)
                {
                    // The FED is known for sure only once its first fragment is read (headers name it).
                    builder ??= new FedResultBuilder(scanner.Fed, scanner.Run, setup);
                    patternsDone++;
                    progress?.Report(Progress());
                }
                await queue.Writer.WriteAsync(curves, ct);
            }
        }, ct)).ToArray();
        try
        {
            Task.WaitAll(decodeTasks);
        }
        catch (AggregateException e)
        {
            // Surface the dump's own error (file, offset, problem), not the task wrapper.
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
        }
        finally
        {
            queue.Writer.TryComplete();
            Task.WaitAll(fitTasks);
        }
        var final = Progress();
        progress?.Report(final);
        builder ??= new FedResultBuilder(scanners[0].Fed, scanners[0].Run, setup);
        var report = scanners[0].Report(FedScanCounters.Combine(scanners.Select(s => s.Counters)), patternsDone);
        return new FedCalibrationOutcome(builder.Build(), report, final, builder.PixelsFitted, scanners[0].Fed, new PatternIndex(0));
    }
}
