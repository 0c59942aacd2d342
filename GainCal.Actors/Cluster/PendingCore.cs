// Compile-only placeholders for the core types of contracts.md, removed on merge with main.
using System.Diagnostics.CodeAnalysis;

namespace GainCal.Dump
{
    public sealed class DumpFormatException(string file, long offset, string problem)
        : Exception($"{file}: at byte {offset}: {problem}")
    {
        public string File { get; } = file;
        public long Offset { get; } = offset;
    }

    public sealed record DumpFileName(int Fed, uint Run)
    {
        public static bool TryParse(string path, out DumpFileName? name) => throw new NotImplementedException();
        public string FileName => $"GainCalibration_{Fed}_{Run}.dmp";
    }
}

namespace GainCal.Detector
{
    public static class PixelFeds
    {
        public static IReadOnlyList<int> BPix => throw new NotImplementedException();
        public static IReadOnlyList<int> FPix => throw new NotImplementedException();
        public static IReadOnlyList<int> All => throw new NotImplementedException();
        public static bool IsPixelFed(int fed) => throw new NotImplementedException();
        public static bool IsBPix(int fed) => throw new NotImplementedException();
    }
}

namespace GainCal.Calibration
{
    public sealed record FedCalibrationSetup
    {
        public static FedCalibrationSetup Default => throw new NotImplementedException();
        public static FedCalibrationSetup ForVCalTag(string? vcalTablePath) => throw new NotImplementedException();
    }

    public record struct FedScanProgress(long BytesRead, long Length, long Events, int Patterns);

    public sealed record PatternCurves(int Pattern, int PixelCount);

    public sealed record PatternFits(int Pattern, int PixelCount);

    public sealed class FedDumpScanner : IDisposable
    {
        public FedDumpScanner(string dumpPath, FedCalibrationSetup setup) => throw new NotImplementedException();
        public int Fed => throw new NotImplementedException();
        public uint Run => throw new NotImplementedException();
        public bool TryReadPattern([NotNullWhen(true)] out PatternCurves? curves) => throw new NotImplementedException();
        public FedScanProgress Progress => throw new NotImplementedException();
        public string ReportText => throw new NotImplementedException();
        public void Dispose() { }
    }

    public sealed class PatternFitter
    {
        public PatternFitter(FedCalibrationSetup setup) => throw new NotImplementedException();
        public PatternFits Fit(PatternCurves curves) => throw new NotImplementedException();
    }

    public static class FedCalibration
    {
        public static GainCal.Results.PixelTable Run(string dumpPath, FedCalibrationSetup setup,
            IProgress<FedScanProgress>? progress = null, CancellationToken ct = default) => throw new NotImplementedException();
    }
}

namespace GainCal.Results
{
    using GainCal.Calibration;

    public sealed class FedResultBuilder
    {
        public FedResultBuilder(int fed, uint run, FedCalibrationSetup setup) => throw new NotImplementedException();
        public void Add(PatternCurves curves, PatternFits fits) => throw new NotImplementedException();
        public PixelTable Build() => throw new NotImplementedException();
    }

    public sealed class PixelTable
    {
        public int RowCount => throw new NotImplementedException();
        public void Write(string path) => throw new NotImplementedException();
        public static PixelTable Read(string path) => throw new NotImplementedException();
        public static PixelTable Merge(IEnumerable<PixelTable> tables) => throw new NotImplementedException();
        public bool ContentEquals(PixelTable other) => throw new NotImplementedException();
        public string Summary() => throw new NotImplementedException();
    }
}
