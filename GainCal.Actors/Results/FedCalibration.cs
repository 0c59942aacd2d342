using System.Threading.Channels;
using GainCal.Calibration;

namespace GainCal.Results;

/// <summary>What a single-FED calibration produced: the table and the scan's report.</summary>
public sealed record FedCalibrationOutcome(PixelTable Table, string Report, FedScanProgress Progress, int PixelsFitted);

/// <summary>
/// The single-process calibration of one FED (the reference's local cmsRun of one FED): the dump is
/// read and accumulated on the calling thread while completed patterns are fitted on worker threads.
/// </summary>
public static class FedCalibration
{
    public static PixelTable Run(string dumpPath, FedCalibrationSetup setup, IProgress<FedScanProgress>? progress = null,
        CancellationToken ct = default) => Calibrate(dumpPath, setup, progress, ct).Table;

    public static FedCalibrationOutcome Calibrate(string dumpPath, FedCalibrationSetup setup,
        IProgress<FedScanProgress>? progress = null, CancellationToken ct = default, int fitThreads = 0)
    {
        using var scanner = new FedDumpScanner(dumpPath, setup);
        var workers = fitThreads > 0 ? fitThreads : Math.Max(1, Environment.ProcessorCount - 1);
        var queue = Channel.CreateBounded<PatternCurves>(new BoundedChannelOptions(4 * workers) { SingleWriter = true });
        FedResultBuilder? builder = null;
        var gate = new object();
        var fitTasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var fitter = new PatternFitter(setup);
            await foreach (var curves in queue.Reader.ReadAllAsync(ct))
            {
                var fits = fitter.Fit(curves);
                lock (gate) builder!.Add(curves, fits);
            }
        }, ct)).ToArray();
        try
        {
            while (scanner.TryReadPattern(out var curves))
            {
                ct.ThrowIfCancellationRequested();
                // The FED is known for sure only once its first fragment is read (headers name it).
                lock (gate) builder ??= new FedResultBuilder(scanner.Fed, scanner.Run, setup);
                while (!queue.Writer.TryWrite(curves))
                    queue.Writer.WaitToWriteAsync(ct).AsTask().GetAwaiter().GetResult();
                progress?.Report(scanner.Progress);
            }
        }
        finally
        {
            queue.Writer.TryComplete();
            Task.WaitAll(fitTasks);
        }
        progress?.Report(scanner.Progress);
        builder ??= new FedResultBuilder(scanner.Fed, scanner.Run, setup);
        return new FedCalibrationOutcome(builder.Build(), scanner.ReportText, scanner.Progress, builder.PixelsFitted);
    }
}
