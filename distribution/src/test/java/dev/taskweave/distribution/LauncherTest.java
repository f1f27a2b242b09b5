package dev.taskweave.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/taskweave's choice of JVM options, run against a stand-in java that prints its arguments. */
class LauncherTest {
    @TempDir
    Path tmp;

    /** @return the arguments bin/taskweave hands to java, one per line */
    private List<String> launch(String javaOpts, String... args) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new ArrayList<>(List.of(Dist.home().resolve("bin/taskweave").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        builder.environment().remove("JAVA_OPTS");
        if (javaOpts != null) {
            builder.environment().put("JAVA_OPTS", javaOpts);
        }
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }

    /** @return bin/taskweave's exit code and output with these environment variables set (a null value removes one) */
    private Object[] launchWith(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Dist.home().resolve("bin/taskweave").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        env.forEach((k, v) -> {
            if (v == null) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Object[] {p.waitFor(), out};
    }

    @Test
    void aJavaHomeWithoutJavaAndThreadsThatAreNoNumberAreNamed() throws Exception {
        Object[] noJava = launchWith(java.util.Map.of("JAVA_HOME", tmp.resolve("nojdk").toString()), "plugins");
        assertEquals(2, noJava[0], (String) noJava[1]);
        assertEquals("taskweave: JAVA_HOME is " + tmp.resolve("nojdk") + ", which has no bin/java; set it to a Java 17 or later"
                + " installation, or unset it to use java on the PATH", ((String) noJava[1]).strip());
        launch(null, "plugins"); // makes the stand-in java
        for (String threads : new String[] {"two", "0", "-1", "1.5", "3000000000", "99999999999999999999"}) {
            Object[] r = launchWith(java.util.Map.of("JAVA_HOME", tmp.resolve("jdk").toString(), "TASKWEAVE_THREADS", threads), "plugins");
            assertEquals(2, r[0], threads + ": " + r[1]);
            assertEquals("taskweave: TASKWEAVE_THREADS is '" + threads + "'; expected a whole number of threads, 1 to 9999",
                    ((String) r[1]).strip());
        }
        Object[] four = launchWith(java.util.Map.of("JAVA_HOME", tmp.resolve("jdk").toString(), "TASKWEAVE_THREADS", "4"), "plugins");
        assertEquals(0, four[0], (String) four[1]);
        assertTrue(((String) four[1]).lines().toList().contains("-Dai.djl.pytorch.num_threads=4"), (String) four[1]);
    }

    @Test
    void serveGetsZgcWhereverItsGlobalOptionsStand() throws Exception {
        for (String[] args : new String[][] {{"serve", "--model", "m"}, {"--verbose", "serve"},
                {"--plugins", "dir", "serve"}, {"--plugins=dir", "serve"}, {"--plugins", "a", "--plugins", "b", "--verbose", "serve"}}) {
            List<String> java = launch(null, args);
            assertTrue(java.contains("-XX:+UseZGC"), String.join(" ", args) + ": " + java);
            assertFalse(java.contains("-XX:+UseSerialGC"), String.join(" ", args) + ": " + java);
            assertTrue(java.contains("-Xmx4g"), String.join(" ", args) + ": " + java);
            // the arguments reach the CLI unchanged, after its class
            int cli = java.indexOf("dev.taskweave.core.cli.TaskweaveCli");
            assertEquals(List.of(args), java.subList(cli + 1, java.size()));
        }
    }

    @Test
    void otherCommandsGetTheSerialCollectorAndJavaOptsReplacesTheHeapButKeepsTheCollectorUnlessItNamesOne() throws Exception {
        for (String[] args : new String[][] {{"train", "--config", "serve"}, {"--plugins", "serve", "train"}, {"check", "serve"},
                {"benchmark", "--suite", "s"}}) {
            List<String> java = launch(null, args);
            assertFalse(java.contains("-XX:+UseZGC"), String.join(" ", args) + ": " + java);
            assertTrue(java.contains("-XX:+UseSerialGC"), String.join(" ", args) + ": " + java);
            assertTrue(java.contains("-Xmx4g"), String.join(" ", args) + ": " + java);
        }
        // a larger heap (the advice of the memory checks) keeps the command's collector
        List<String> java = launch("-Xmx1g", "serve");
        assertTrue(java.contains("-Xmx1g") && !java.contains("-Xmx4g") && java.contains("-XX:+UseZGC"), java.toString());
        java = launch("-Xmx8g -Dx=1", "train");
        assertTrue(java.containsAll(List.of("-Xmx8g", "-Dx=1", "-XX:+UseSerialGC")) && !java.contains("-Xmx4g"), java.toString());
        // a collector named in JAVA_OPTS is the one used
        java = launch("-Xmx1g -XX:+UseG1GC", "train");
        assertTrue(java.contains("-XX:+UseG1GC") && !java.contains("-XX:+UseSerialGC"), java.toString());
        java = launch("-XX:+UseParallelGC -Xmx2g", "serve");
        assertTrue(java.contains("-XX:+UseParallelGC") && !java.contains("-XX:+UseZGC"), java.toString());
        assertTrue(java.contains("-Dai.djl.offline=true"), "the engine never downloads: " + java);
        // options that only look like a collector across two words name none
        java = launch("-XX:+UseContainerSupport -XX:+DisableExplicitGC", "serve");
        assertTrue(java.contains("-XX:+UseZGC"), java.toString());
        java = launch("-XX:+UseContainerSupport -XX:+DisableExplicitGC", "train");
        assertTrue(java.contains("-XX:+UseSerialGC"), java.toString());
    }

    @Test
    void textIsUtf8WhateverTheLocale() throws Exception {
        List<String> java = launch(null, "train");
        assertTrue(java.containsAll(List.of("-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8")), java.toString());
        // a JAVA_OPTS setting of its own comes later, and the JVM keeps the last
        java = launch("-Xmx1g -Dstdout.encoding=ISO-8859-1", "train");
        assertTrue(java.indexOf("-Dstdout.encoding=ISO-8859-1") > java.indexOf("-Dstdout.encoding=UTF-8"), java.toString());
    }

    @Test
    void anExportedCdpathDoesNotChangeWhereTheLibrariesAre() throws Exception {
        // started by a relative path, as the docs do (bin/taskweave ...), with CDPATH holding '.'
        Path bin = Files.createDirectories(tmp.resolve("jdk/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "bin/taskweave plugins").directory(Dist.home().toFile())
                .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", tmp.resolve("jdk").toString());
        builder.environment().put("CDPATH", ".:/tmp");
        Process p = builder.start();
        List<String> args = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), args.toString());
        String home = Dist.home().toRealPath().toString();
        assertTrue(args.contains(home + "/lib/*"), args.toString());
        assertTrue(args.contains("-Dtaskweave.plugins=" + home + "/plugins"), args.toString());
    }
}
