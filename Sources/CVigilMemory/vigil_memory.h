// Memory-order and prefetch primitives Swift's standard library does not expose on raw
// memory: atomic pointer loads/stores for tables that are read outside a lock, and a
// prefetch hint so an append loop can start fetching the series it needs next.
#ifndef VIGIL_MEMORY_H
#define VIGIL_MEMORY_H

static inline void vigil_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

static inline void *vigil_load_acquire(void *const *p) { return __atomic_load_n((void **)p, __ATOMIC_ACQUIRE); }

static inline void *vigil_load_relaxed(void *const *p) { return __atomic_load_n((void **)p, __ATOMIC_RELAXED); }

static inline void vigil_store_release(void **p, void *v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

#endif
