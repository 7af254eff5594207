using System.Net;
using DisclosurePipeline.Functions.Http;
using Microsoft.AspNetCore.Http;

namespace DisclosurePipeline.Tests.Faults;

/// <summary>The failed-authentication limiter and the client address it keys on, without a host.</summary>
[TestClass]
public sealed class FailedAuthLimiterTests
{
    [TestMethod]
    public void RecordFailure_TenTimes_BlocksThatClientOnly()
    {
        using var limiter = new FailedAuthLimiter();
        for (var i = 1; i < FailedAuthLimiter.PermitLimit; i++)
        {
            Assert.IsFalse(limiter.RecordFailure("198.51.100.1"), $"failure {i}");
            Assert.IsFalse(limiter.IsBlocked("198.51.100.1", out _), $"after failure {i}");
        }

        Assert.IsTrue(limiter.RecordFailure("198.51.100.1"), "the tenth failure uses up the window");
        Assert.IsTrue(limiter.IsBlocked("198.51.100.1", out var retryAfter));
        Assert.IsTrue(retryAfter > TimeSpan.Zero && retryAfter <= FailedAuthLimiter.Window, retryAfter.ToString());
        Assert.IsFalse(limiter.IsBlocked("198.51.100.2", out _), "another client is not affected");
    }

    [TestMethod]
    [DataRow("203.0.113.9", "203.0.113.9")]
    [DataRow("203.0.113.9:51234", "203.0.113.9")]
    [DataRow("10.0.0.1, 203.0.113.9", "203.0.113.9")]
    [DataRow("[2001:db8::7]:443", "2001:db8::7")]
    [DataRow("2001:db8::7", "2001:db8::7")]
    [DataRow("::ffff:203.0.113.9", "203.0.113.9")]
    public void LastForwarded_EntryWithOrWithoutPort_IsTheLastAddress(string header, string expected) =>
        Assert.AreEqual(IPAddress.Parse(expected), ClientAddress.LastForwarded(header));

    [TestMethod]
    [DataRow("")]
    [DataRow("unknown")]
    [DataRow("10.0.0.1, not-an-address")]
    public void LastForwarded_NoAddress_IsNull(string header) => Assert.IsNull(ClientAddress.LastForwarded(header));

    [TestMethod]
    public void Of_LoopbackProxyWithForwardedFor_IsTheForwardedAddress_DirectClientIsItsConnection()
    {
        var proxied = new DefaultHttpContext();
        proxied.Connection.RemoteIpAddress = IPAddress.Loopback;
        proxied.Request.Headers[ClientAddress.ForwardedFor] = "198.51.100.20, 203.0.113.9";
        Assert.AreEqual("203.0.113.9", ClientAddress.Of(proxied));

        var direct = new DefaultHttpContext();
        direct.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.5");
        direct.Request.Headers[ClientAddress.ForwardedFor] = "203.0.113.9";
        Assert.AreEqual("192.0.2.5", ClientAddress.Of(direct), "a forwarded-for header from a client that is not the local proxy is not trusted");
    }
}
