using System.Globalization;
using System.Text;

namespace GainCal.Simulation;

public enum PixelKind : byte { Normal, Dead, Noisy, LowEfficiency }

/// <summary>The planted truth of every simulated pixel of one FED, in (link, ROC, row, column) order.</summary>
public sealed class FedTruth
{
    public const int PixelsPerRoc = 80 * 52;

    public FedTruth(int fed, int rocs)
    {
        Fed = fed;
        var n = rocs * PixelsPerRoc;
        Kind = new PixelKind[n];
        Gain = new float[n];
        Pedestal = new float[n];
        Plateau = new float[n];
        Noise = new float[n];
    }

    public int Fed { get; }
    public int RocCount => Kind.Length / PixelsPerRoc;
    public PixelKind[] Kind { get; }
    /// <summary>Electrons per ADC count.</summary>
    public float[] Gain { get; }
    /// <summary>ADC at zero charge.</summary>
    public float[] Pedestal { get; }
    /// <summary>ADC at which the response saturates.</summary>
    public float[] Plateau { get; }
    /// <summary>Gaussian noise per hit, ADC.</summary>
    public float[] Noise { get; }

    public static int IndexOf(int rocIndex, int row, int col) => rocIndex * PixelsPerRoc + row * 52 + col;

    public void WriteCsv(string path, GainCal.Detector.FedCabling cabling)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.WriteLine("fed,link,roc,row,col,detid,kind,gain,pedestal,plateau,noise");
        var c = CultureInfo.InvariantCulture;
        for (var r = 0; r < RocCount; r++)
        {
            var roc = cabling.Rocs[r];
            for (var row = 0; row < 80; row++)
            for (var col = 0; col < 52; col++)
            {
                var i = IndexOf(r, row, col);
                w.Write(string.Create(c, $"{Fed},{roc.Link},{roc.Roc},{row},{col},{roc.DetId.Raw},{Kind[i]},"));
                w.WriteLine(string.Create(c, $"{Gain[i]:R},{Pedestal[i]:R},{Plateau[i]:R},{Noise[i]:R}"));
            }
        }
    }
}
