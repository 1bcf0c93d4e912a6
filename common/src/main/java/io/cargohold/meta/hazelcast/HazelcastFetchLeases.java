package io.cargohold.meta.hazelcast;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.flakeidgen.FlakeIdGenerator;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import io.cargohold.spi.FetchLeases;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Fetch leases as entries with a time-to-live in a Hazelcast map. The holder renews its entry
 * while it fetches; a lease of a member that left the cluster is removed at once, and one whose
 * holder hangs lapses after {@link #TTL}. Each lease carries a unique token, so a holder only
 * ever renews or removes its own lease (fencing), and the address where its node serves the fetch
 * to other nodes while it runs, once that node listens.
 */
public final class HazelcastFetchLeases implements FetchLeases {

    public static final String MAP = "cargohold.fetch-leases";
    static final Duration TTL = Duration.ofSeconds(15);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(4);

    private final Vertx vertx;
    private final IMap<String, FetchLease> leases;
    private final FlakeIdGenerator tokens;
    private final UUID member;
    private final Supplier<Optional<URI>> address;
    private final Map<String, List<Promise<Void>>> waiters = new ConcurrentHashMap<>();

    /** Leases whose holders serve nothing to other nodes. */
    public HazelcastFetchLeases(Vertx vertx, HazelcastInstance hazelcast) {
        this(vertx, hazelcast, Optional::empty);
    }

    /** {@code address} gives where this node serves its fetches to other nodes, once it does. */
    public HazelcastFetchLeases(Vertx vertx, HazelcastInstance hazelcast, Supplier<Optional<URI>> address) {
        this.vertx = vertx;
        this.address = address;
        this.leases = hazelcast.getMap(MAP);
        this.tokens = hazelcast.getFlakeIdGenerator(MAP);
        this.member = hazelcast.getCluster().getLocalMember().getUuid();
        leases.addEntryListener(new Released(), false);
        hazelcast.getCluster().addMembershipListener(new MemberLeft());
    }

    @Override
    public Future<Claim> claim(String key) {
        return vertx.executeBlocking(() -> {
            FetchLease mine = new FetchLease(member.toString(), tokens.newId(),
                    address.get().map(URI::toString).orElse(null));
            FetchLease holder = leases.putIfAbsent(key, mine, TTL.toSeconds(), TimeUnit.SECONDS);
            return holder == null ? new Held(key, mine) : waitFor(key, holder);
        });
    }

    /** Waits for the key's lease to go; registered before re-checking, so no release is missed. */
    private Claim waitFor(String key, FetchLease holder) {
        Promise<Void> released = Promise.promise();
        waiters.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(released);
        if (!leases.containsKey(key)) {
            wake(key);
        }
        long timer = vertx.setTimer(TTL.toMillis() * 2, t -> released.tryComplete());
        released.future().onComplete(done -> vertx.cancelTimer(timer));
        return new Waiting(Optional.ofNullable(holder.address()).map(URI::create), released.future());
    }

    private void wake(String key) {
        List<Promise<Void>> waiting = waiters.remove(key);
        if (waiting != null) {
            waiting.forEach(Promise::tryComplete);
        }
    }

    private final class Held implements Claim {
        private final String key;
        private final FetchLease lease;
        private final long renewal;

        Held(String key, FetchLease lease) {
            this.key = key;
            this.lease = lease;
            this.renewal = vertx.setPeriodic(RENEW_EVERY.toMillis(), t -> vertx.executeBlocking(() -> {
                if (lease.equals(leases.get(key))) {
                    leases.setTtl(key, TTL.toSeconds(), TimeUnit.SECONDS);
                }
                return null;
            }));
        }

        @Override
        public boolean held() {
            return true;
        }

        @Override
        public Optional<URI> holder() {
            return Optional.empty();
        }

        @Override
        public Future<Void> released() {
            return Future.succeededFuture();
        }

        @Override
        public void release() {
            vertx.cancelTimer(renewal);
            vertx.executeBlocking(() -> leases.remove(key, lease));
        }
    }

    private record Waiting(Optional<URI> holder, Future<Void> released) implements Claim {
        @Override
        public boolean held() {
            return false;
        }

        @Override
        public void release() {
        }
    }

    private final class Released implements EntryRemovedListener<String, FetchLease>,
            EntryExpiredListener<String, FetchLease> {
        @Override
        public void entryRemoved(com.hazelcast.core.EntryEvent<String, FetchLease> event) {
            wake(event.getKey());
        }

        @Override
        public void entryExpired(com.hazelcast.core.EntryEvent<String, FetchLease> event) {
            wake(event.getKey());
        }
    }

    /** Drops the leases of a member that left, so its work is taken over without waiting for the TTL. */
    private final class MemberLeft implements MembershipListener {
        @Override
        public void memberAdded(MembershipEvent event) {
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            String gone = event.getMember().getUuid().toString();
            vertx.executeBlocking(() -> {
                leases.entrySet().stream()
                        .filter(entry -> entry.getValue().member().equals(gone))
                        .forEach(entry -> leases.remove(entry.getKey(), entry.getValue()));
                return null;
            });
        }
    }

    /**
     * Who holds a lease, with the token that fences it and where it serves the fetch to other
     * nodes (null when it does not).
     */
    public record FetchLease(String member, long token, String address) {
    }
}
