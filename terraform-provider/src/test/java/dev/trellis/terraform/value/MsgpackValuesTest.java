package dev.trellis.terraform.value;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class MsgpackValuesTest {

    private static final TfType.ObjectType RULE = new TfType.ObjectType(ordered(
            "timeout", TfType.STRING, "weights", TfType.listOf(TfType.NUMBER)));
    private static final TfType.ObjectType RESOURCE = new TfType.ObjectType(ordered(
            "name", TfType.STRING,
            "port", TfType.NUMBER,
            "enabled", TfType.BOOL,
            "labels", TfType.mapOf(TfType.STRING),
            "methods", TfType.setOf(TfType.STRING),
            "rule", TfType.listOf(RULE)));

    @Test
    void nestedValuesWithUnknownsAndNullsSurviveARoundTrip() {
        Map<String, Object> rule = ordered("timeout", Unknown.VALUE, "weights", List.of(new BigDecimal(90), new BigDecimal("10.5")));
        Map<String, Object> value = ordered(
                "name", "echo",
                "port", Unknown.VALUE,
                "enabled", true,
                "labels", ordered("team", "shop", "tier", null),
                "methods", List.of("GET", "POST"),
                "rule", List.of(rule, ordered("timeout", null, "weights", null)));

        Object decoded = MsgpackValues.decode(MsgpackValues.encode(value, RESOURCE), RESOURCE);

        assertThat(decoded).isEqualTo(value);
    }

    @Test
    void unknownIsExtensionTypeZero() {
        assertThat(MsgpackValues.encode(Unknown.VALUE, TfType.STRING)).containsExactly(0xd4, 0x00, 0x00);
    }

    @Test
    void refinedUnknownsFromNewerTerraformDecodeAsUnknown() throws Exception {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            // cty's refined unknown: extension 12 carrying a msgpack map of refinements
            packer.packExtensionTypeHeader((byte) 12, 3);
            packer.writePayload(new byte[] {(byte) 0x81, 0x01, (byte) 0xc2});
            assertThat(MsgpackValues.decode(packer.toByteArray(), TfType.STRING)).isSameAs(Unknown.VALUE);
        }
    }

    @Test
    void objectsCarryEveryAttributeAndIgnoreUnknownOnes() throws Exception {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            packer.packMapHeader(2).packString("name").packString("echo").packString("future_attribute").packInt(1);
            Object decoded = MsgpackValues.decode(packer.toByteArray(), RESOURCE);
            assertThat(decoded).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("name", "echo").containsEntry("port", null).doesNotContainKey("future_attribute")
                    .hasSize(6);
        }
    }

    @Test
    void numbersKeepTheirValueWhateverTheirEncoding() throws Exception {
        for (BigDecimal n : List.of(new BigDecimal("8080"), new BigDecimal("-3"), new BigDecimal("0.25"),
                new BigDecimal("123456789012345678901234567890"), new BigDecimal("0.1"))) {
            assertThat(MsgpackValues.decode(MsgpackValues.encode(n, TfType.NUMBER), TfType.NUMBER))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.BIG_DECIMAL)
                    .isEqualByComparingTo(n);
        }
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            packer.packString("1e3");
            assertThat((BigDecimal) MsgpackValues.decode(packer.toByteArray(), TfType.NUMBER)).isEqualByComparingTo("1000");
        }
    }

    @Test
    void nullAndEmptyPayloads() {
        assertThat(MsgpackValues.decode(MsgpackValues.encode(null, RESOURCE), RESOURCE)).isNull();
        assertThat(MsgpackValues.decode(new byte[0], RESOURCE)).isNull();
        assertThat(MsgpackValues.decode(MsgpackValues.encode(new ArrayList<>(), TfType.listOf(RULE)), TfType.listOf(RULE)))
                .isEqualTo(List.of());
    }

    @Test
    void typesSpeakTerraformsJsonNotation() {
        assertThat(TfType.listOf(RULE).json())
                .isEqualTo("[\"list\",[\"object\",{\"timeout\":\"string\",\"weights\":[\"list\",\"number\"]}]]");
        assertThat(TfType.mapOf(TfType.BOOL).json()).isEqualTo("[\"map\",\"bool\"]");
        assertThat(new TfType.ObjectType(ordered("a", TfType.STRING)).json()).isEqualTo("[\"object\",{\"a\":\"string\"}]");
    }

    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> ordered(Object... pairs) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (V) pairs[i + 1]);
        }
        return map;
    }
}
