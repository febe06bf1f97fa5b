package dev.trellis.terraform.api;

/** One problem the API found, at a JSON path of the document ({@code rules[0].backends[1].weight}). */
public record Violation(String field, String message) {
}
