using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GainCal.Operations;

public static class OperationsHosting
{
    /// <summary>The command host and the in-memory log its `log` palette reads.</summary>
    public static IServiceCollection AddGainCalOperations(this IServiceCollection services)
    {
        services.AddSingleton<LogRing>();
        services.AddSingleton<ILoggerProvider, LogRingLoggerProvider>();
        services.AddHostedService<CommandHostService>();
        return services;
    }

    /// <summary>Adds the log memorizer to Akka's loggers (next to the standard one), so the log palette has the
    /// node's log from its start.</summary>
    public static AkkaConfigurationBuilder WithGainCalOperations(this AkkaConfigurationBuilder builder) =>
        builder.ConfigureLoggers(l =>
        {
            l.ClearLoggers();
            l.AddLogger<Akka.Event.DefaultLogger>();
            l.AddLogger<LogMemorizer>();
        });
}
