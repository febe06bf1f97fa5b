package dev.trellis.compiler.policy;

/**
 * Where a policy value was declared. Values are applied in this order, each overriding the
 * previous: a rule's own value beats a policy on its route, which beats a policy on its
 * service, which beats the mesh default.
 */
public enum PolicyLevel { MESH, SERVICE, ROUTE, RULE }
