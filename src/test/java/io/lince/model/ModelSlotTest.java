package io.lince.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lince.testing.TestModels;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ModelSlotTest {

    @Test
    void aSwapDoesNotCloseAModelABatchIsStillUsing() throws Exception {
        LinceModel v1 = TestModels.random(1, 32);
        ModelSlot slot = new ModelSlot(v1);
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch swapped = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<Integer> batch = pool.submit(() -> slot.withModel(m -> {
            inBatch.countDown();
            try {
                swapped.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            // still usable after the swap: the lease keeps it open
            try (var p = m.newPredictor()) {
                p.predict(new float[3 * 32 * 32]);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return m.info().version();
        }));
        inBatch.await();
        slot.swap(TestModels.random(2, 32));
        assertEquals(2, slot.info().version(), "the next batch gets the new model at once");
        swapped.countDown();
        assertEquals(1, batch.get());
        // the last lease is gone: v1 is closed now
        assertThrows(Exception.class, () -> v1.djlModel().getNDManager().create(1f));
        pool.shutdown();
        slot.close();
    }
}
