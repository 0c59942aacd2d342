using GainCal.Detector;

namespace GainCal.Tests.Detector;

public class PixelFedsTests
{
    // Written out from SiPixelParameters.h (bpixFEDID / fpixFEDID), independently of the block arithmetic in the code.
    private static readonly int[] ExpectedBPix =
    [
        1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208, 1209, 1212, 1213, 1214, 1215, 1216, 1217, 1218, 1219, 1220, 1221,
        1224, 1225, 1226, 1227, 1228, 1229, 1230, 1231, 1232, 1233, 1236, 1237, 1238, 1239, 1240, 1241, 1242, 1243, 1244, 1245,
        1248, 1249, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1260, 1261, 1262, 1263, 1264, 1265, 1266, 1267, 1268, 1269,
        1272, 1273, 1274, 1275, 1276, 1277, 1278, 1279, 1280, 1281, 1284, 1285, 1286, 1287, 1288, 1289, 1290, 1291, 1292, 1293,
    ];

    private static readonly int[] ExpectedFPix =
    [
        1296, 1297, 1298, 1299, 1300, 1301, 1302, 1308, 1309, 1310, 1311, 1312, 1313, 1314,
        1320, 1321, 1322, 1323, 1324, 1325, 1326, 1332, 1333, 1334, 1335, 1336, 1337, 1338,
    ];

    [Fact]
    public void Lists_are_the_reference_lists()
    {
        Assert.Equal(ExpectedBPix, PixelFeds.BPix);
        Assert.Equal(ExpectedFPix, PixelFeds.FPix);
        Assert.Equal(80, PixelFeds.BPix.Count);
        Assert.Equal(28, PixelFeds.FPix.Count);
        Assert.Equal(ExpectedBPix.Concat(ExpectedFPix).Order(), PixelFeds.All);
        Assert.Equal(108, PixelFeds.All.Distinct().Count());
    }

    [Fact]
    public void Classification_matches_the_lists_over_the_whole_id_range()
    {
        for (int fed = -5; fed < 5000; fed++)
        {
            Assert.Equal(ExpectedBPix.Contains(fed), PixelFeds.IsBPix(fed));
            Assert.Equal(ExpectedFPix.Contains(fed), PixelFeds.IsFPix(fed));
            Assert.Equal(ExpectedBPix.Contains(fed) || ExpectedFPix.Contains(fed), PixelFeds.IsPixelFed(fed));
        }
        Assert.False(PixelFeds.IsPixelFed(int.MaxValue));
        Assert.False(PixelFeds.IsPixelFed(int.MinValue));
    }
}
