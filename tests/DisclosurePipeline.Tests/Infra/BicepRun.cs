namespace DisclosurePipeline.Tests.Infra;

/// <summary>One run of the Bicep CLI.</summary>
internal sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;
}
