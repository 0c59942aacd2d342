namespace GainCal.Tests;

public class SkeletonTests
{
    [Fact]
    public void Solution_builds() => Assert.True(true);
}
