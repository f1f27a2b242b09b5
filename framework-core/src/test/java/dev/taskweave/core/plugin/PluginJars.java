package dev.taskweave.core.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
        return pack(src, classes, pluginsDir.resolve(pluginId + ".jar"), pluginId, "1.2.3", pkg + ".TestPlugin", Map.of(),
                name -> true);
    }

    /**
     * Compiles {@code sources} (path under the source root, for example {@code a/b/C.java}, to
     * text) and packs them as a plugin jar.
     *
     * @param manifest extra manifest entries
     * @param keep     which class or resource entries of the compiled output go into the jar
     *                 ({@code META-INF/extensions.idx}, {@code a/b/C.class})
     */
    static Path plugin(Path workDir, Path jar, String pluginId, String version, Map<String, String> sources,
            Map<String, String> manifest, Predicate<String> keep) throws IOException {
        String name = jar.getFileName().toString();
        Path src = workDir.resolve(name + "-src");
        Path classes = workDir.resolve(name + "-classes");
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
        }
        Files.createDirectories(classes);
        return pack(src, classes, jar, pluginId, version, null, manifest, keep);
    }

    private static Path pack(Path src, Path classes, Path jar, String pluginId, String version, String pluginClass,
            Map<String, String> extra, Predicate<String> keep) throws IOException {
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
        a.putValue("Plugin-Version", version);
        if (pluginClass != null) {
            a.putValue("Plugin-Class", pluginClass);
        }
        a.putValue("Plugin-Description", "test plugin " + pluginId);
        extra.forEach(a::putValue);
        Files.createDirectories(jar.getParent());
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, manifest);
                Stream<Path> files = Files.walk(classes)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                String entry = classes.relativize(p).toString().replace('\\', '/');
                if (!keep.test(entry)) {
                    continue;
                }
                out.putNextEntry(new JarEntry(entry));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        return jar;
    }
}
