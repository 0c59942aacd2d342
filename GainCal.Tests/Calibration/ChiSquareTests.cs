using GainCal.Calibration;

namespace GainCal.Tests.Calibration;

public class ChiSquareTests
{
    // Reference values: regularised upper incomplete gamma Q(ndf/2, chi2/2) from mpmath at 30 digits.
    [Theory]
    [InlineData(10.0, 5, 0.075235246146512178722)]
    [InlineData(3.84146, 1, 0.049999964833747421628)]
    [InlineData(1.0, 3, 0.80125195690120080243)]
    [InlineData(2.0, 2, 0.3678794411714423216)]
    [InlineData(27.3, 17, 0.053812185288602790551)]
    [InlineData(150.0, 27, 5.139130925913258346e-19)]
    [InlineData(1380.0, 101, 1.8180719182421257186e-223)]
    [InlineData(1e-6, 1, 0.99920211557217787485)]
    [InlineData(40.0, 1, 2.5396285894708649707e-10)]
    [InlineData(800.0, 3, 4.3274708143852048229e-173)]
    public void Matches_the_upper_incomplete_gamma(double chi2, int ndf, double expected)
    {
        double p = ChiSquare.Probability(chi2, ndf);
        Assert.True(Math.Abs(p - expected) <= 1e-12 * expected, $"Prob({chi2},{ndf}) = {p:R}, expected {expected:R}");
    }

    [Fact]
    public void Quoted_values_of_TMath_Prob()
    {
        Assert.Equal(0.0752352, ChiSquare.Probability(10, 5), 7);
        Assert.Equal(0.05, ChiSquare.Probability(3.84146, 1), 6);
    }

    [Fact]
    public void Edge_cases_follow_TMath_Prob()
    {
        Assert.Equal(0, ChiSquare.Probability(5, 0));
        Assert.Equal(0, ChiSquare.Probability(5, -1));
        Assert.Equal(1, ChiSquare.Probability(0, 4));
        Assert.Equal(0, ChiSquare.Probability(-1, 4));
        Assert.Equal(0, ChiSquare.Probability(double.PositiveInfinity, 4));
        Assert.True(double.IsNaN(ChiSquare.Probability(double.NaN, 4)));
        Assert.Equal(1.0, ChiSquare.Probability(0.01, 25));
        Assert.InRange(ChiSquare.Probability(1e-9, 1), 0.99997, 1.0);
    }

    [Fact]
    public void Continuous_where_the_evaluation_switches_to_logarithms()
    {
        foreach (int ndf in new[] { 4, 5, 60, 61 })
        {
            double below = ChiSquare.Probability(2 * 690 - 1e-9, ndf);
            double above = ChiSquare.Probability(2 * 690 + 1e-9, ndf);
            Assert.True(Math.Abs(below - above) <= 1e-9 * below, $"ndf {ndf}: {below:R} vs {above:R}");
        }
    }

    [Fact]
    public void Tabulated_erfc_agrees_with_the_series_and_continued_fraction()
    {
        double worst = 0;
        for (double z = 0; z < 9; z += 0.001237)
        {
            double x = z * z;
            double fast = ChiSquare.Erfc(z, x), slow = ChiSquare.UpperGammaHalf(x);
            worst = Math.Max(worst, Math.Abs(fast - slow) / slow);
        }
        Assert.True(worst < 1e-13, $"worst relative difference {worst:E2}");
        // erfc(1) and erfc(3), independent values.
        Assert.True(Math.Abs(ChiSquare.Erfc(1, 1) / 0.157299207050285130659 - 1) < 1e-13);
        Assert.True(Math.Abs(ChiSquare.Erfc(3, 9) / 2.20904969985854413727e-5 - 1) < 1e-13);
    }
}
