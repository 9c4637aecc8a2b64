using System.Net;
using ArrayDictOrleans.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Serves the Orleans dashboard from an ArrayDict silo that is a web application, on 127.0.0.1 only, when
/// <c>ArrayDict:Dashboard:Enabled</c> is true. <c>AddArrayDictSilo</c> itself needs no web host: hosts that never
/// show the dashboard (tests, the <c>arraydict</c> program's embedded silo) keep using a plain host builder.
/// </summary>
public static class ArrayDictDashboardHostingExtensions
{
    /// <summary>
    /// With the dashboard on, adds it to the silo and has the web host listen on 127.0.0.1 at
    /// <see cref="ArrayDictDashboardOptions.Port"/>; with it off, the web host gets a server that opens no port.
    /// Call it besides <c>AddArrayDictSilo</c>, then <see cref="MapArrayDictDashboard"/> on the built application.
    /// </summary>
    /// <param name="builder">The silo's web application builder.</param>
    /// <exception cref="OptionsValidationException">A setting of the <c>ArrayDict</c> section is invalid; the failures name each one.</exception>
    public static WebApplicationBuilder AddArrayDictDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var dashboard = ArrayDictSiloConfiguration.Read(builder.Configuration).Dashboard;
        if (!dashboard.Enabled)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton<IServer, NoHttpServer>());
            return builder;
        }

        builder.UseOrleans(silo => silo.AddDashboard(options => options.HideTrace = !dashboard.ShowLiveTrace));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, dashboard.Port));
        return builder;
    }

    /// <summary>Maps the dashboard's page and JSON API at the root of its port when the dashboard is on; does nothing otherwise.</summary>
    /// <param name="app">The silo's web application, built from a builder given <see cref="AddArrayDictDashboard"/>.</param>
    public static WebApplication MapArrayDictDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (ArrayDictSiloConfiguration.Read(app.Configuration).Dashboard.Enabled)
        {
            app.MapOrleansDashboard();
        }

        return app;
    }
}
