package org.opencluster.auth.server.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.opencluster.auth.testsupport.RealComponent;

/**
 * Headless Chromium (Debian packages chromium and chromium-driver) driven through chromedriver. The server's
 * certificate is made trusted for this browser instance only, by the SHA-256 of its SubjectPublicKeyInfo:
 * Chromium refuses WebAuthn on a page with a certificate error.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path ARTIFACTS = Path.of("target", "browser-artifacts");

    final ChromeDriver driver;
    private final ChromeDriverService service;

    Browser(X509Certificate serverCert, Path profile) throws Exception {
        RealComponent.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "headless Chromium and its driver (apt-get install chromium chromium-driver)");
        String spki = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(serverCert.getPublicKey().getEncoded()));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + profile.toAbsolutePath(),
                "--ignore-certificate-errors-spki-list=" + spki, "--window-size=1000,1100");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    /** Saves a screenshot as a test artefact; returns its path. */
    Path screenshot(String name) throws Exception {
        Files.createDirectories(ARTIFACTS);
        Path file = ARTIFACTS.resolve(name + ".png");
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    @Override
    public void close() {
        driver.quit();
        service.stop();
    }
}
