package dev.superconv.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

/** The VALUE of {@code --set PATH=VALUE}: JSON when it parses as JSON, else the word as a string (so enum names need no quotes). */
final class RecipeValue {
    private RecipeValue() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode parse(String text) {
        String v = text.strip();
        if (v.isEmpty()) {
            return TextNode.valueOf(v);
        }
        try {
            return JSON.readTree(v);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(v);
        }
    }
}
