using Microsoft.Playwright;

namespace Containment.Tests.Browser;

/// <summary>Debian's Chromium, headless, driven by Playwright; <c>./test.sh</c> installs it.</summary>
internal static class HeadlessChromium
{
    private const string Executable = "/usr/bin/chromium";

    /// <summary>Two cores shared with the rest of the suite: room for each browser step before it is called stuck.</summary>
    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: ./test.sh installs Debian's chromium");
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // /dev/shm is small in containers: without this flag Chromium can stall under load.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public static async Task<IPage> NewPageAsync(IBrowser browser)
    {
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout((float)StepTimeout.TotalMilliseconds);
        page.SetDefaultNavigationTimeout((float)StepTimeout.TotalMilliseconds);
        return page;
    }
}
