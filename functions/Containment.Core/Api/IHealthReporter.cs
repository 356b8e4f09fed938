namespace Containment.Api;

/// <summary>A part of the host that says how it is in <c>GET /api/health</c>, from what it already knows (no I/O).</summary>
public interface IHealthReporter
{
    HealthCheck Report();
}
