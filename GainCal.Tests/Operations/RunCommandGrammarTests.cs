using GainCal.Operations;

namespace GainCal.Tests.Operations;

/// <summary>The one grammar of the run commands, as the node's command host reads command lines with it.</summary>
public class RunCommandGrammarTests
{
    static RunRequest Parse(string line) => new RunCommandGrammar().Parse(CommandLineText.Split(line));

    [Fact]
    public void Each_command_reads_its_request()
    {
        Assert.Equal(new CreateRequest(12, "/in", "/out", "vcal", true), Parse("create 12 -i /in --output /out -t vcal -B"));
        Assert.Equal(new CreateRequest(12, "/in", "/out", null, false), Parse("create 12 --input /in -o /out"));
        Assert.Equal(new SubmitRequest(3), Parse("submit 3"));
        Assert.Equal(new StatusRequest(3, true), Parse("status 3 --json"));
        Assert.Equal(new MergeRequest(3), Parse("hadd 3"));
        Assert.Equal(new ListRunsRequest(), Parse("runs"));
        var resubmit = Assert.IsType<ResubmitRequest>(Parse("resubmit 3 --fed 1200,1201 1296 -n -1 -f"));
        Assert.Equal([1200, 1201, 1296, -1], resubmit.Feds);
        Assert.True(resubmit.Force);
        Assert.Empty(Assert.IsType<ResubmitRequest>(Parse("resubmit 3")).Feds);
    }

    [Theory]
    [InlineData("status twelve", "RUN must be a positive run number, got 'twelve'")]
    [InlineData("submit 0", "RUN must be a positive run number, got '0'")]
    [InlineData("create 5 -i", "option -i needs a value")]
    [InlineData("create 5 -i /in -o /out --color", "unknown option --color")]
    [InlineData("submit 5 6", "unexpected argument '6'")]
    [InlineData("runs 5", "unexpected argument '5'")]
    [InlineData("resubmit 5 --fed x", "--fed: 'x' is not a FED id, a range like 1200-1205, or one of all, bpix, fpix")]
    [InlineData("resubmit 5 --fed 5", "--fed: FED 5 is not a Phase-1 pixel FED (BPix 1200-1293, FPix 1296-1338 with gaps; see `gaincal simulate --help`)")]
    [InlineData("status 5 -B -F", "--bpix-only and --fpix-only exclude each other")]
    [InlineData("status 5 --fed 1296 --bpix-only", "--fed 1296 holds no BPix FED")]
    [InlineData("create 5 -i /in -o /out --cabling-tag T", "--cabling-tag needs --cabling FILE (the conditions file to take the tag from)")]
    [InlineData("resubmit 5 --force", "--force needs the FEDs to recompute: --fed N ... (or --fed -1 for every FED), e.g. gaincal resubmit 5 --fed -1 --force")]
    public void A_line_that_does_not_fit_is_one_error_in_the_operators_words(string line, string error) =>
        Assert.Equal(error, Assert.Throws<CommandUsageException>(() => Parse(line)).Message);

    [Fact]
    public void Run_py_selections_read_the_same_on_create_status_and_resubmit()
    {
        var create = Assert.IsType<CreateRequest>(Parse("create 12 -i /in -o /out -n 1200-1202,1296 1338 -F --cabling /c.db --cabling-tag T"));
        Assert.Equal([1200, 1201, 1202, 1296, 1338], create.Feds!);
        Assert.Equal((false, true, "/c.db", "T"), (create.BPixOnly, create.FPixOnly, create.Cabling, create.CablingTag));
        Assert.Equal([1296, 1338], create.Selection);
        Assert.Equal(GainCal.Detector.PixelFeds.BPix, Assert.IsType<CreateRequest>(Parse("create 12 -i /in -o /out --BPix-only")).Selection);
        Assert.Null(Assert.IsType<CreateRequest>(Parse("create 12 -i /in -o /out --fed -1")).Feds);

        Assert.Equal(GainCal.Detector.PixelFeds.FPix, Assert.IsType<StatusRequest>(Parse("status 3 --fpix-only")).Feds);
        Assert.Equal([1200, 1201, 1202, 1203, 1204, 1205, 1296], Assert.IsType<StatusRequest>(Parse("status 3 --fed 1200-1205 --fed 1296")).Feds!);
        Assert.Equal([1296], Assert.IsType<StatusRequest>(Parse("status 3 --fed 1200,1296 -F")).Feds!);
        Assert.Null(Assert.IsType<StatusRequest>(Parse("status 3 --json")).Feds);

        var resubmit = Assert.IsType<ResubmitRequest>(Parse("resubmit 3 -n 1200-1202 -B"));
        Assert.Equal([1200, 1201, 1202], resubmit.Feds);
        Assert.Equal(FedPart.BPix, resubmit.Part);
        var all = Assert.IsType<ResubmitRequest>(Parse("resubmit 3 --fed -1 -F"));
        Assert.Equal([-1], all.Feds);
        Assert.Equal(FedPart.FPix, all.Part);
    }

    [Fact]
    public void Create_without_its_directories_names_the_missing_option()
    {
        var e = Assert.Throws<CommandUsageException>(() => Parse("create 5 -i /in"));
        Assert.Contains("--output", e.Message);
    }
}
