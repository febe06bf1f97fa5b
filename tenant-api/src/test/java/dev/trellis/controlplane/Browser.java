package dev.trellis.controlplane;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real headless Chromium (Debian's {@code /usr/bin/chromium}) driven through Debian's
 * {@code /usr/bin/chromedriver}: both paths are set, so Selenium looks nothing up and downloads nothing.
 * Finds the portal's controls as a person does, by their labels and button texts.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of(System.getProperty("portal.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("portal.chromedriver", "/usr/bin/chromedriver"));
    private static final Path AXE = Path.of("../portal/node_modules/axe-core/axe.min.js");
    final ChromeDriver driver;
    private final WebDriverWait wait;

    Browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        // Generous: five builds may share this machine's two cores.
        wait = new WebDriverWait(driver, Duration.ofSeconds(45));
        // Every condition finds its elements again on each poll, so one the page replaced in between
        // (a navigation after a click) only means "not yet", as a missing one does.
        wait.ignoring(StaleElementReferenceException.class);
    }

    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    void open(String url) {
        driver.get(url);
    }

    /** Opens the portal at {@code url} and signs in through Keycloak's own login form. */
    void signIn(String url, String user, String password) {
        open(url);
        await(By.id("sign-in")).click();
        await(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("kc-login")).click();
        awaitHeading("Meshes");
    }

    WebElement await(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void awaitText(String text) {
        wait.until(d -> d.findElement(By.tagName("body")).getText().contains(text));
    }

    void awaitHeading(String text) {
        await(By.xpath("//h1[normalize-space()=" + literal(text) + "]"));
    }

    /** The control a label names. */
    WebElement field(String label) {
        WebElement l = await(By.xpath("//label[normalize-space()=" + literal(label) + "]"));
        return driver.findElement(By.id(l.getDomAttribute("for")));
    }

    WebElement labelled(String ariaLabel) {
        return await(By.cssSelector("[aria-label=" + literal(ariaLabel) + "]"));
    }

    void type(WebElement input, String text) {
        input.clear();
        input.sendKeys(text);
    }

    void fill(String label, String text) {
        type(field(label), text);
    }

    void choose(String label, String option) {
        new org.openqa.selenium.support.ui.Select(field(label)).selectByVisibleText(option);
    }

    WebElement button(String text) {
        return wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//button[normalize-space()=" + literal(text) + "]")));
    }

    List<WebElement> buttons(String text) {
        return driver.findElements(By.xpath("//button[normalize-space()=" + literal(text) + "]"));
    }

    void click(String buttonText) {
        button(buttonText).click();
    }

    void link(String text) {
        wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//a[normalize-space()=" + literal(text) + "]"))).click();
    }

    /** Preview, wait for the dry run's report, apply, wait until the API took it. */
    void previewAndApply() {
        click("Preview changes");
        awaitText("Preview: what this change does");
        click("Apply");
        awaitText("Applied.");
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** axe-core's serious and critical violations of the page as it is now (id and the nodes' targets). */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> accessibilityViolations() throws IOException {
        script(Files.readString(AXE));
        Object result = ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']})
                  .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))))
                  .catch(e => done([{id: 'axe-error', help: String(e)}]));
                """);
        return (List<Map<String, Object>>) result;
    }

    /** The whole page (the window grown to its height, up to 2,400 pixels), as a PNG. */
    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Dimension before = driver.manage().window().getSize();
        long height = ((Number) script("return document.documentElement.scrollHeight")).longValue();
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(2400, height + before.getHeight() - viewportHeight())));
        try {
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    private long viewportHeight() {
        return ((Number) script("return window.innerHeight")).longValue();
    }

    /** Runs a step of a scenario; if it fails, the page's screenshot and text are kept under target/portal-failures. */
    void step(String name, ThrowingRunnable step) throws Exception {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            Path dir = Path.of("target/portal-failures");
            try {
                screenshot(dir.resolve(name + ".png"));
                Files.writeString(dir.resolve(name + ".txt"), driver.getCurrentUrl() + "\n\n" + driver.findElement(By.tagName("body")).getText());
            } catch (Exception | AssertionError ignored) {
                // the failure itself is what matters
            }
            throw e;
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static String literal(String text) {
        return text.contains("'") ? "\"" + text + "\"" : "'" + text + "'";
    }

    @Override
    public void close() {
        driver.quit();
    }
}
