package dev.taskweave.core.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles a real plugin from source inside a test and packs it into a PF4J plugin jar. */
final class PluginJars {
    private PluginJars() {}

    /**
     * A loss-weighting plugin whose factory has type {@code type}; its PF4J plugin class is a Guice
     * module that binds the factory's description, which the factory receives by injection.
     */
    static Path weightingPlugin(Path workDir, Path pluginsDir, String pluginId, String pkg, String type, String description)
            throws IOException {
        Path src = workDir.resolve(pluginId + "-src");
        Path classes = workDir.resolve(pluginId + "-classes");
        Path pkgDir = src.resolve(pkg.replace('.', '/'));
        Files.createDirectories(pkgDir);
        Files.createDirectories(classes);
        Files.writeString(pkgDir.resolve("TestPlugin.java"), """
                package %1$s;

                import com.google.inject.AbstractModule;
                import com.google.inject.name.Names;

                public final class TestPlugin extends org.pf4j.Plugin implements com.google.inject.Module {
                    @Override
                    public void configure(com.google.inject.Binder binder) {
                        binder.bindConstant().annotatedWith(Names.named("description")).to("%2$s");
                    }
                }
                """.formatted(pkg, description));
        Files.writeString(pkgDir.resolve("ConstantWeightingFactory.java"), """
                package %1$s;

                import ai.djl.ndarray.NDList;
                import ai.djl.ndarray.types.Shape;
                import ai.djl.nn.AbstractBlock;
                import ai.djl.nn.Block;
                import ai.djl.training.ParameterStore;
                import ai.djl.util.PairList;
                import dev.taskweave.api.model.LossWeighting;
                import dev.taskweave.api.model.LossWeightingFactory;
                import dev.taskweave.api.model.WeightingContext;
                import jakarta.inject.Inject;
                import jakarta.inject.Named;

                @org.pf4j.Extension
                public final class ConstantWeightingFactory implements LossWeightingFactory<ConstantWeightingFactory.Config> {
                    public static final class Config {
                        public double scale = 1.0;
                    }

                    private final String description;

                    @Inject
                    public ConstantWeightingFactory(@Named("description") String description) {
                        this.description = description;
                    }

                    @Override public String type() { return "%2$s"; }
                    @Override public Class<Config> configClass() { return Config.class; }
                    @Override public String description() { return description; }

                    @Override
                    public LossWeighting create(Config config, WeightingContext context) {
                        return () -> new AbstractBlock() {
                            @Override
                            protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
                                return new NDList(in.get(0).mul(in.get(1)).sum().mul((float) config.scale), in.get(1));
                            }

                            @Override
                            public Shape[] getOutputShapes(Shape[] inputShapes) {
                                return new Shape[] {new Shape(), inputShapes[0]};
                            }
                        };
                    }
                }
                """.formatted(pkg, type));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> sources;
        try (Stream<Path> files = Files.walk(src)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        String[] args = Stream.concat(Stream.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
                "-proc:full"), sources.stream()).toArray(String[]::new);
        int rc = compiler.run(null, null, null, args);
        if (rc != 0) {
            throw new IllegalStateException("test plugin did not compile");
        }
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Plugin-Id", pluginId);
        a.putValue("Plugin-Version", "1.2.3");
        a.putValue("Plugin-Class", pkg + ".TestPlugin");
        a.putValue("Plugin-Description", "test plugin " + pluginId);
        Files.createDirectories(pluginsDir);
        Path jar = pluginsDir.resolve(pluginId + ".jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        return jar;
    }
}
