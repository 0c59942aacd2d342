using GainCal.Tests.Cluster;
using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(GainCal.Tests.LabCollectionFirst))]

namespace GainCal.Tests;

/// <summary>Starts the lab's collection first and the others in xunit's default order: the lab's two tests run one
/// after another and are the suite's longest path, so started late they would run on alone at the end.</summary>
public sealed class LabCollectionFirst : ITestCollectionOrderer
{
    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections)
            .OrderBy(c => c.TestCollectionDisplayName == LabCollection.Name ? 0 : 1)
            .ToArray();
}
