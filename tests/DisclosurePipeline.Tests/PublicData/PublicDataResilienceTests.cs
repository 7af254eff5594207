using System.Net;
using System.Net.Http.Headers;
using DisclosurePipeline.PublicData;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;

namespace DisclosurePipeline.Tests.PublicData;

/// <summary>The client's decisions that need no server: how long Retry-After says to wait, what counts as transient, options.</summary>
[TestClass]
[DoNotParallelize]
public sealed class PublicDataResilienceTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 1, 12, 0, TimeSpan.Zero);

    [TestMethod]
    public void ServerRequestedDelay_DeltaSeconds_IsTheDelta()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));

        Assert.AreEqual(TimeSpan.FromSeconds(7), PublicDataResilience.ServerRequestedDelay(Outcome.FromResult(response), Now));
    }

    [TestMethod]
    public void ServerRequestedDelay_HttpDate_IsTheTimeUntilThen()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        response.Headers.TryAddWithoutValidation("Retry-After", Now.AddSeconds(12).ToString("r"));

        Assert.AreEqual(TimeSpan.FromSeconds(12), PublicDataResilience.ServerRequestedDelay(Outcome.FromResult(response), Now));
    }

    [TestMethod]
    public void ServerRequestedDelay_DateInThePast_IsZero()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddMinutes(-1));

        Assert.AreEqual(TimeSpan.Zero, PublicDataResilience.ServerRequestedDelay(Outcome.FromResult(response), Now));
    }

    [TestMethod]
    public void ServerRequestedDelay_HourLongRetryAfter_IsCapped()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromHours(1));

        Assert.AreEqual(PublicDataResilience.MaxRetryAfter, PublicDataResilience.ServerRequestedDelay(Outcome.FromResult(response), Now));
    }

    [TestMethod]
    public void ServerRequestedDelay_NoHeader_LeavesTheBackoff()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway);

        Assert.IsNull(PublicDataResilience.ServerRequestedDelay(Outcome.FromResult(response), Now));
        Assert.IsNull(PublicDataResilience.ServerRequestedDelay(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("refused")), Now));
    }

    [TestMethod]
    [DataRow(429, true)]
    [DataRow(502, true)]
    [DataRow(503, true)]
    [DataRow(504, true)]
    [DataRow(400, false)]
    [DataRow(401, false)]
    [DataRow(403, false)]
    [DataRow(404, false)]
    [DataRow(410, false)]
    [DataRow(200, false)]
    public void IsTransient_ByStatus_FollowsTheContract(int status, bool transient)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status);

        Assert.AreEqual(transient, PublicDataResilience.IsTransient(Outcome.FromResult(response)));
    }

    [TestMethod]
    public void IsTransient_CallerCancelled_IsNotRetried()
    {
        Assert.IsFalse(PublicDataResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new OperationCanceledException())));
        Assert.IsTrue(PublicDataResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("reset"))));
    }

    [TestMethod]
    [DataRow("PublicData:AttemptTimeout", "00:00:00")]
    [DataRow("PublicData:MaxAttempts", "0")]
    [DataRow("PublicData:BaseUrl", "/relative")]
    [DataRow("PublicData:ApiKey", " ")]
    public void AddPublicDataClient_InvalidSetting_FailsNamingIt(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        using var services = new ServiceCollection().AddLogging().AddPublicDataClient(configuration).BuildServiceProvider();

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => services.GetRequiredService<IPublicDataClient>());

        Assert.Contains(key.Split(':')[1], error.Message);
    }
}
