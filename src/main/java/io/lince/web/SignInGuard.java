package io.lince.web;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows guessing down: after a few wrong passwords for one user, or from one client address,
 * further attempts are refused without looking at the password, for a time that doubles with
 * every further failure up to a cap. A right password while locked is refused too (otherwise
 * the lock would only slow the attacker's wrong guesses); a success clears the user's and the
 * address's count.
 *
 * <p>An address gets four times the user's free failures: many people can share one (a NAT, an
 * office proxy). Behind a reverse proxy the address is the proxy's unless
 * {@code quarkus.http.proxy.proxy-address-forwarding=true}. The trade-off every lockout has
 * stands: someone who knows a user's name can keep that user locked; the cap bounds how long
 * one burst does it.
 *
 * <p>Memory is bounded: records whose lock and failure window have passed are dropped once
 * there are more than {@link #TRACKED}, and past twice that the oldest go too.
 */
final class SignInGuard {

    /** Number of distinct users and addresses whose failures are remembered before a purge. */
    static final int TRACKED = 10_000;

    /**
     * @param freeFailures wrong passwords for one user before the first lock
     * @param firstLock the first lock; each further failure doubles it
     * @param maxLock the longest lock; also how long failures are remembered
     */
    record Policy(int freeFailures, Duration firstLock, Duration maxLock) {
        static final Policy DEFAULT = new Policy(5, Duration.ofSeconds(1), Duration.ofMinutes(15));

        Policy {
            if (freeFailures < 1 || firstLock.isNegative() || firstLock.isZero() || maxLock.compareTo(firstLock) < 0) {
                throw new IllegalArgumentException("sign-in lockout: need free failures >= 1 and 0 < first lock <= max lock");
            }
        }
    }

    private record Failures(int count, long lockedUntil, long lastAt) {}

    private final Policy policy;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    SignInGuard(Policy policy) {
        this.policy = policy;
    }

    /** How much longer attempts for {@code user} or from {@code address} are refused, if they are. */
    Optional<Duration> lockedFor(String user, String address, long nowMillis) {
        long until = Math.max(lockedUntil(userKey(user)), lockedUntil(addressKey(address)));
        return until > nowMillis ? Optional.of(Duration.ofMillis(until - nowMillis)) : Optional.empty();
    }

    /** Counts a wrong password; returns the lock it brings about, if any. */
    Optional<Duration> failed(String user, String address, long nowMillis) {
        record(userKey(user), policy.freeFailures(), nowMillis);
        record(addressKey(address), 4 * policy.freeFailures(), nowMillis);
        if (failures.size() > TRACKED) {
            purge(nowMillis);
        }
        return lockedFor(user, address, nowMillis);
    }

    void succeeded(String user, String address) {
        failures.remove(userKey(user));
        failures.remove(addressKey(address));
    }

    int tracked() {
        return failures.size();
    }

    private void record(String key, int free, long now) {
        failures.compute(key, (k, f) -> {
            int count = f == null || now - f.lastAt() > policy.maxLock().toMillis() ? 1 : f.count() + 1;
            long lock = count <= free ? 0 : lockMillis(count - free);
            return new Failures(count, lock == 0 ? 0 : now + lock, now);
        });
    }

    private long lockMillis(int beyondFree) {
        long first = policy.firstLock().toMillis();
        long max = policy.maxLock().toMillis();
        return beyondFree > 40 ? max : Math.min(max, first << (beyondFree - 1));
    }

    private long lockedUntil(String key) {
        Failures f = failures.get(key);
        return f == null ? 0 : f.lockedUntil();
    }

    private void purge(long now) {
        long forget = policy.maxLock().toMillis();
        failures.entrySet().removeIf(e -> e.getValue().lockedUntil() <= now && now - e.getValue().lastAt() > forget);
        if (failures.size() > 2 * TRACKED) {
            // a flood of distinct names: keep the most recent ones
            failures.entrySet().stream().sorted(Map.Entry.comparingByValue((a, b) -> Long.compare(a.lastAt(), b.lastAt())))
                    .limit(failures.size() - TRACKED).map(Map.Entry::getKey).toList().forEach(failures::remove);
        }
    }

    private static String userKey(String user) {
        return "user:" + user;
    }

    private static String addressKey(String address) {
        return "address:" + address;
    }
}
