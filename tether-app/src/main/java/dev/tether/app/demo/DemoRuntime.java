package dev.tether.app.demo;

import static java.util.Objects.requireNonNull;

import dev.tether.demo.DemoCluster;
import dev.tether.demo.DemoInstance;
import dev.tether.demo.DemoSettings;
import dev.tether.proxy.admin.InstanceControl;
import dev.tether.proxy.config.ConfigException;
import dev.tether.proxy.config.TetherConfig;
import dev.tether.proxy.config.yaml.ConfigLoader;
import dev.tether.proxy.control.ControlPlane;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code tether demo} runs, in this process: the shop's application instances over one
 * session store ({@link DemoCluster}), and the balancer in front of them with the admin API, the
 * dashboard and the instance controls ({@code /api/demo/instances}) that kill, start and add
 * instances. {@link #close} stops all of it; no thread or port is left.
 *
 * <p>An added instance joins the pool through a reload of the built-in configuration, exactly as an
 * operator's edited file would.
 */
public final class DemoRuntime implements AutoCloseable {

  private final DemoCluster cluster;
  private final ControlPlane balancer;
  private final DemoBalancerConfig shape;
  private final Map<String, String> env;

  private DemoRuntime(
      DemoCluster cluster,
      ControlPlane balancer,
      DemoBalancerConfig shape,
      Map<String, String> env) {
    this.cluster = cluster;
    this.balancer = balancer;
    this.shape = shape;
    this.env = env;
  }

  /**
   * Starts the instances, waits until each answers, then starts the balancer in front of them.
   *
   * @throws IllegalStateException when something cannot start (a port in use, an unreachable
   *     store); whatever had started is stopped again
   */
  public static DemoRuntime start(DemoSettings settings, DemoBalancerConfig shape) {
    requireNonNull(settings, "settings");
    requireNonNull(shape, "shape");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Map<String, String> env = Map.of("TETHER_DEMO_KEY", Base64.getEncoder().encodeToString(key));
    DemoCluster cluster = DemoCluster.start(settings);
    try {
      ControlPlane balancer = ControlPlane.start(parse(shape, cluster.instances(), env));
      DemoRuntime rt = new DemoRuntime(cluster, balancer, shape, env);
      balancer.admin().instanceControl(rt.new Control());
      return rt;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The configuration the balancer runs for {@code instances}, as YAML. */
  public String yaml() {
    return shape.yaml(instances(cluster.instances()));
  }

  private static TetherConfig parse(
      DemoBalancerConfig shape, List<DemoInstance> running, Map<String, String> env) {
    try {
      return ConfigLoader.parse(
          shape.yaml(instances(running)), "built-in demo configuration", env::get);
    } catch (ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static List<InstanceControl.Instance> instances(List<DemoInstance> demo) {
    return demo.stream().map(DemoRuntime::instance).toList();
  }

  private static InstanceControl.Instance instance(DemoInstance i) {
    return new InstanceControl.Instance(i.name(), i.address(), i.running());
  }

  /** The shop through the balancer, e.g. {@code http://127.0.0.1:8080/}. */
  public String shopUrl() {
    return "http://" + shape.host() + ":" + balancer.proxy().port() + "/";
  }

  /** The dashboard and admin API, e.g. {@code http://127.0.0.1:9090/}. */
  public String adminUrl() {
    return "http://" + shape.host() + ":" + balancer.admin().port() + "/";
  }

  /** The application instances. */
  public DemoCluster cluster() {
    return cluster;
  }

  /** The balancer. */
  public ControlPlane balancer() {
    return balancer;
  }

  @Override
  public void close() {
    try {
      balancer.stop(Duration.ofSeconds(2));
    } finally {
      cluster.close();
    }
  }

  /** The admin API's view of the cluster; adding an instance also adds it to the pool. */
  private final class Control implements InstanceControl {
    @Override
    public List<Instance> instances() {
      return DemoRuntime.instances(cluster.instances());
    }

    @Override
    public Instance kill(String name) {
      return instance(cluster.kill(name));
    }

    @Override
    public Instance start(String name) {
      return instance(cluster.start(name));
    }

    @Override
    public synchronized Instance add(String name) {
      DemoInstance added = cluster.add(name);
      balancer.reload(parse(shape, cluster.instances(), env));
      balancer.admin().rebind();
      return instance(added);
    }
  }
}
