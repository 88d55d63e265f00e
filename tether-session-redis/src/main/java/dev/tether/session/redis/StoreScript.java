package dev.tether.session.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script of the store, run with {@code EVALSHA} and, when the server does not know it yet
 * ({@code NOSCRIPT}: first use, restart, failover, {@code SCRIPT FLUSH}), once with {@code EVAL},
 * which also caches it. So the steady state is exactly one command per call. On Cluster Lettuce
 * routes the call by its first key; all keys of one call share a hash tag.
 */
enum StoreScript {
  CREATE("create.lua", ScriptOutputType.INTEGER),
  SAVE("save.lua", ScriptOutputType.MULTI),
  DELETE("delete.lua", ScriptOutputType.INTEGER),
  ROTATE("rotate.lua", ScriptOutputType.MULTI),
  RESERVE("reserve.lua", ScriptOutputType.INTEGER),
  DETACH("detach.lua", ScriptOutputType.MULTI),
  ATTACH("attach.lua", ScriptOutputType.INTEGER),
  SWEEP("sweep.lua", ScriptOutputType.MULTI);

  private final byte[] source;
  private final String sha;
  private final ScriptOutputType output;

  StoreScript(String resource, ScriptOutputType output) {
    this.source = read(resource);
    this.sha = sha1(source);
    this.output = output;
  }

  /** Runs the script; an integer script returns a {@code Long}, a multi one a {@code List}. */
  <T> T run(RedisClusterCommands<byte[], byte[]> redis, List<byte[]> keys, List<byte[]> args) {
    byte[][] k = keys.toArray(byte[][]::new);
    byte[][] a = args.toArray(byte[][]::new);
    try {
      return redis.evalsha(sha, output, k, a);
    } catch (RedisNoScriptException e) {
      return redis.eval(source, output, k, a);
    }
  }

  private static byte[] read(String resource) {
    try (InputStream in = StoreScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("script resource " + resource + " missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script " + resource, e);
    }
  }

  private static String sha1(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by every Java platform", e);
    }
  }
}
