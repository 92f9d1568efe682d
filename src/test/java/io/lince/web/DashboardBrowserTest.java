package io.lince.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lince.app.LinceNode;
import io.lince.app.Role;
import io.lince.contracts.ImageEvent;
import io.lince.contracts.LabelEvent;
import io.lince.images.SyntheticImages;
import io.lince.kafka.Topics;
import io.lince.ops.RunningNode;
import io.lince.retraining.TrainerSettings;
import io.lince.stream.BatchSettings;
import io.lince.testing.TestNodes;
import io.lince.wire.WireFormat;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.File;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless Chromium) against a running classifier on the
 * in-process broker: classifications appear, a text with markup shows as text, and a person
 * labels an uncertain image with one key, which the test then finds on {@code lince.labels}.
 */
@QuarkusTest
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final String MARKUP_ID = "<b>bold</b><img src=x onerror=alert(1)>";

    @Inject
    RunningNode running;

    @TestHTTPResource("/")
    URL root;

    private static WebDriver browser(Path profile) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--window-size=1280,1400", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
        return new ChromeDriver(service, o);
    }

    @Test
    void aPersonLabelsAnUncertainImageAndTheLabelEventReachesKafka() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "Chromium or chromedriver is missing (apt-get install chromium chromium-driver): browser test skipped");
        Path work = Files.createTempDirectory("lince-dashboard");
        Topics topics = Topics.defaults(1);
        WireFormat wire = WireFormat.defaults();
        try (LinceNode node = LinceNode.start(TestNodes.options(Role.CLASSIFIER, Optional.empty(), Map.of(), work, topics,
                new BatchSettings(4, Duration.ofMillis(20)), TrainerSettings.defaults(), "dashboard-test"));
                KafkaProducer<String, ImageEvent> images = new KafkaProducer<>(node.clients().producer(),
                        new StringSerializer(), wire.serde(ImageEvent.class).serializer())) {
            running.set(node);
            SyntheticImages gen = new SyntheticImages(3, 64, 48);
            for (int i = 0; i < 6; i++) {
                String id = i == 0 ? MARKUP_ID : "img-" + i;
                images.send(new ProducerRecord<>(topics.images(), id, ImageEvent.newBuilder().setId(id)
                        .setEventTime(Instant.now()).setSource("<i>camera</i>")
                        .setBytes(ByteBuffer.wrap(gen.jpeg(i % 2))).build()));
            }
            images.flush();

            WebDriver driver = browser(Files.createTempDirectory("lince-chromium"));
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                driver.get(root.toString());
                driver.findElement(By.id("user")).sendKeys("lea");
                driver.findElement(By.id("password")).sendKeys("labeller-pw");
                driver.findElement(By.cssSelector("#signin button")).click();

                // every image shows in the live feed; the one whose id is markup shows it as text
                wait.until(d -> d.findElements(By.cssSelector("#feed .card")).size() == 6);
                assertTrue(driver.findElements(By.cssSelector("#feed b, #feed i, #feed img[src='x']")).isEmpty(),
                        "no element was made from event text");
                assertTrue(driver.findElements(By.cssSelector("#feed .id")).stream()
                        .anyMatch(e -> e.getText().equals(MARKUP_ID)), "the id shows literally");

                // a random head is unsure of everything: the queue holds them; label the first with key 1
                wait.until(d -> d.findElement(By.id("queue-item")).isDisplayed()
                        && !d.findElement(By.id("queue-id")).getText().isEmpty());
                String id = driver.findElement(By.id("queue-id")).getText();
                String first = driver.findElements(By.cssSelector("#queue-buttons button")).get(0).getAttribute("data-label");
                new Actions(driver).sendKeys("1").perform();
                wait.until(d -> d.findElement(By.id("message")).getText().equals("Labelled " + id + " as " + first + "."));
                File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
                Files.createDirectories(Path.of("target"));
                Files.copy(shot.toPath(), Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);

                LabelEvent published = labelOn(node, topics, wire, id);
                assertEquals(first, published.getLabel());
                assertEquals("lea", published.getLabeller(), "labelled by the signed-in person");
            } finally {
                driver.quit();
                running.clear();
            }
        }
    }

    private static LabelEvent labelOn(LinceNode node, Topics topics, WireFormat wire, String id) {
        try (KafkaConsumer<String, LabelEvent> c = new KafkaConsumer<>(node.clients().reader(), new StringDeserializer(),
                wire.serde(LabelEvent.class).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topics.labels()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    if (r.value().getImageId().equals(id)) {
                        return r.value();
                    }
                }
            }
            throw new AssertionError("no LabelEvent for " + id + " on " + topics.labels());
        }
    }
}
