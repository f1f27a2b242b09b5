package dev.taskweave.core.plugin;

import java.util.List;
import java.util.Map;

/**
 * A loaded plugin and what it provides.
 *
 * @param id          plugin id
 * @param version     plugin version
 * @param description plugin description
 * @param location    the jar or directory it was loaded from
 * @param types       type names by kind label ("task head", ...)
 */
public record PluginInfo(String id, String version, String description, String location, Map<String, List<String>> types) {}
