package dev.tether.session.grid;

import static org.assertj.core.api.Assertions.assertThat;

import org.infinispan.commons.CacheException;
import org.infinispan.commons.TimeoutException;
import org.infinispan.remoting.RemoteException;
import org.junit.jupiter.api.Test;

class LockedWritesTest {

  @Test
  void aLockTimeoutCountsAsOneWhetherTakenHereOrAtTheKeysOwner() {
    TimeoutException local = new TimeoutException("ISPN000299: Unable to acquire lock");
    assertThat(LockedWrites.isTimeout(local)).isTrue();
    // the lock taken at another member: its timeout comes back inside a RemoteException
    assertThat(LockedWrites.isTimeout(new RemoteException("ISPN000217: from s1", local))).isTrue();
  }

  @Test
  void otherFailuresAreNotTimeouts() {
    assertThat(LockedWrites.isTimeout(new CacheException("no"))).isFalse();
    assertThat(
            LockedWrites.isTimeout(
                new RemoteException("ISPN000217: from s1", new IllegalStateException("no"))))
        .isFalse();
  }
}
