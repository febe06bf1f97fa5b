package dev.trellis.controlplane.snapshot;

import dev.trellis.compiler.CompiledMesh;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * This replica's most recently compiled meshes ({@code trellis.compile-cache.meshes} of them, least
 * recently used dropped first), each with the generation the mesh's row carried when it was
 * compiled. A write whose mesh still carries that generation recompiles incrementally from the
 * cached {@link CompiledMesh} and its state, without reading and parsing every document again; any
 * other generation (a write on another replica, a mesh deleted and created again, a rolled-back
 * write never put here) is a miss, answered by reading the mesh in full. Correct either way:
 * {@link CompiledMesh#recompile} equals a full compile of the state it is given.
 */
@Component
class CompiledMeshes {
    /** A compiled mesh and the generation of the stored mesh it was compiled from. */
    record Entry(String generation, CompiledMesh compiled) {
    }

    private record Key(String tenantId, String mesh) {
    }

    private final Map<Key, Entry> entries;

    CompiledMeshes(@Value("${trellis.compile-cache.meshes:32}") int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, CompiledMeshes.Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized Optional<Entry> find(String tenantId, String mesh) {
        return Optional.ofNullable(entries.get(new Key(tenantId, mesh)));
    }

    synchronized void put(String tenantId, String mesh, Entry entry) {
        entries.put(new Key(tenantId, mesh), entry);
    }

    synchronized void forget(String tenantId, String mesh) {
        entries.remove(new Key(tenantId, mesh));
    }
}
