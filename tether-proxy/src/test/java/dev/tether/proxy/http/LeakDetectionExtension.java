package dev.tether.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test when Netty's {@link ResourceLeakDetector} reports a leaked buffer while or after
 * it runs. Netty logs leaks through SLF4J at ERROR on the detector's logger; this extension
 * listens there, so it works whichever class first created a detector. After each test it
 * collects garbage and allocates a few buffers (a detector only reports when it tracks a new
 * object), then asserts that nothing was reported. A leak the collector finds only later fails
 * a later test, or the class at its end (three more collections), so a leak fails the build.
 *
 * <p>Needs leak detection on: surefire runs with {@code -Dio.netty.leakDetection.level=paranoid};
 * the extension raises the level to paranoid itself if it is lower. A shared copy belongs in
 * tether-testing.
 */
public final class LeakDetectionExtension implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private static final List<String> LEAKS = new ArrayList<>();

    static {
        Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getFormattedMessage().contains("LEAK:")) {
                    synchronized (LEAKS) {
                        LEAKS.add(event.getFormattedMessage());
                    }
                }
            }
        };
        appender.setContext(logger.getLoggerContext());
        appender.setName("tether-leak-capture");
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            leaks.addAll(drainLeaks());
        }
        assertThat(leaks).as("buffers leaked by a test of %s, found late", context.getDisplayName()).isEmpty();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertThat(drainLeaks()).as("buffers leaked by %s", context.getDisplayName()).isEmpty();
    }

    /** Collects garbage, makes the detector report, and returns (and forgets) the leaks reported so far. */
    static List<String> drainLeaks() {
        collectLeaks();
        synchronized (LEAKS) {
            List<String> leaks = List.copyOf(LEAKS);
            LEAKS.clear();
            return leaks;
        }
    }

    /** Lets the collector enqueue unreachable tracked buffers, then makes the detector poll them. */
    private static void collectLeaks() {
        System.gc();
        for (ByteBufAllocator allocator : new ByteBufAllocator[] {PooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT}) {
            for (int i = 0; i < 16; i++) {
                allocator.buffer(8).release();
                allocator.directBuffer(8).release();
            }
        }
    }
}
