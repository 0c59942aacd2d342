using System.CommandLine;
using System.Globalization;
using System.Text;
using GainCal.Results;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal export`: a results table as CSV, one row per pixel.</summary>
internal static class ExportCommand
{
    public const string Header =
        "fed,link,roc,row,col,status,gain,pedestal,chi2,prob,npoints,plateau,detid,module_row,module_col,gain_error,pedestal_error,low_mean,high_mean,low_point,high_point";

    public static Command Create()
    {
        var table = new Argument<FileInfo>("results") { Description = "A per-FED or merged results table (.parquet)" };
        var csv = new Option<FileInfo>("--csv") { Description = "CSV file to write (one row per pixel; chi2 is chi2/ndf)", Required = true };
        var command = new Command("export", "Export a results table to CSV: " + Header) { table, csv };
        command.SetAction(parsed =>
        {
            var t = PixelTable.Read(CliPaths.InputFile(parsed.GetValue(table)!.FullName, "results table"));
            var path = CliPaths.OutputFile(parsed.GetValue(csv)!.FullName);
            Write(t, path);
            Console.WriteLine($"wrote {t.RowCount:N0} pixels to {path}");
            return 0;
        });
        return command;
    }

    public static void Write(PixelTable t, string path)
    {
        var c = CultureInfo.InvariantCulture;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.WriteLine(Header);
        foreach (var r in t.Rows())
        {
            w.Write(string.Create(c, $"{r.Fed},{r.Link},{r.Roc},{r.RocRow},{r.RocCol},{r.Status},{r.Gain:R},{r.Pedestal:R},{r.Chi2Ndf:R},{r.Probability:R},{r.Points},{r.Plateau:R},"));
            w.WriteLine(string.Create(c, $"{r.DetId},{r.ModuleRow},{r.ModuleCol},{r.GainError:R},{r.PedestalError:R},{r.LowMean:R},{r.HighMean:R},{r.LowPoint:R},{r.HighPoint:R}"));
        }
    }
}
