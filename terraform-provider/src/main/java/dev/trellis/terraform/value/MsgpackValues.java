package dev.trellis.terraform.value;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Terraform's msgpack encoding of values (the {@code msgpack} field of a DynamicValue).
 * Unknown values are extension type 0; Terraform 1.3+ may also send refined unknowns as
 * extension type 12, which this reads as plain unknown.
 */
public final class MsgpackValues {

    private static final byte UNKNOWN_EXTENSION = 0;

    private MsgpackValues() {
    }

    public static byte[] encode(Object value, TfType type) {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            write(packer, value, type);
            return packer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Object decode(byte[] bytes, TfType type) {
        if (bytes.length == 0) {
            return null;
        }
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
            return read(unpacker, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(MessageBufferPacker packer, Object value, TfType type) throws IOException {
        if (value == null) {
            packer.packNil();
            return;
        }
        if (value == Unknown.VALUE) {
            packer.packExtensionTypeHeader(UNKNOWN_EXTENSION, 1);
            packer.writePayload(new byte[] {0});
            return;
        }
        switch (type) {
            case TfType.Primitive p when p.equals(TfType.STRING) -> packer.packString((String) value);
            case TfType.Primitive p when p.equals(TfType.BOOL) -> packer.packBoolean((Boolean) value);
            case TfType.Primitive p -> writeNumber(packer, (BigDecimal) value);
            case TfType.Collection c when c.kind().equals("map") -> {
                Map<?, ?> map = (Map<?, ?>) value;
                packer.packMapHeader(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    packer.packString((String) e.getKey());
                    write(packer, e.getValue(), c.element());
                }
            }
            case TfType.Collection c -> {
                List<?> list = (List<?>) value;
                packer.packArrayHeader(list.size());
                for (Object element : list) {
                    write(packer, element, c.element());
                }
            }
            case TfType.ObjectType o -> {
                Map<?, ?> object = (Map<?, ?>) value;
                packer.packMapHeader(o.attributes().size());
                for (Map.Entry<String, TfType> attribute : o.attributes().entrySet()) {
                    packer.packString(attribute.getKey());
                    write(packer, object.get(attribute.getKey()), attribute.getValue());
                }
            }
        }
    }

    private static void writeNumber(MessageBufferPacker packer, BigDecimal number) throws IOException {
        BigDecimal stripped = number.stripTrailingZeros();
        if (stripped.scale() <= 0 && stripped.precision() - stripped.scale() <= 18) {
            packer.packLong(stripped.longValueExact());
        } else if (new BigDecimal(number.doubleValue()).compareTo(number) == 0) {
            packer.packDouble(number.doubleValue());
        } else {
            // cty sends numbers that fit neither int64 nor float64 as their decimal string
            packer.packString(number.toPlainString());
        }
    }

    private static Object read(MessageUnpacker unpacker, TfType type) throws IOException {
        ValueType next = unpacker.getNextFormat().getValueType();
        if (next == ValueType.NIL) {
            unpacker.unpackNil();
            return null;
        }
        if (next == ValueType.EXTENSION) {
            var header = unpacker.unpackExtensionTypeHeader();
            unpacker.readPayload(header.getLength());
            return Unknown.VALUE;
        }
        return switch (type) {
            case TfType.Primitive p when p.equals(TfType.STRING) -> unpacker.unpackString();
            case TfType.Primitive p when p.equals(TfType.BOOL) -> unpacker.unpackBoolean();
            case TfType.Primitive p -> readNumber(unpacker, next);
            case TfType.Collection c when c.kind().equals("map") -> {
                int size = unpacker.unpackMapHeader();
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    map.put(unpacker.unpackString(), read(unpacker, c.element()));
                }
                yield map;
            }
            case TfType.Collection c -> {
                int size = unpacker.unpackArrayHeader();
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(read(unpacker, c.element()));
                }
                yield list;
            }
            case TfType.ObjectType o -> {
                int size = unpacker.unpackMapHeader();
                Map<String, Object> object = new LinkedHashMap<>();
                o.attributes().keySet().forEach(name -> object.put(name, null));
                for (int i = 0; i < size; i++) {
                    String name = unpacker.unpackString();
                    TfType attributeType = o.attributes().get(name);
                    if (attributeType == null) {
                        unpacker.skipValue();
                    } else {
                        object.put(name, read(unpacker, attributeType));
                    }
                }
                yield object;
            }
        };
    }

    private static BigDecimal readNumber(MessageUnpacker unpacker, ValueType format) throws IOException {
        return switch (format) {
            case INTEGER -> new BigDecimal(unpacker.unpackBigInteger());
            case FLOAT -> BigDecimal.valueOf(unpacker.unpackDouble());
            case STRING -> new BigDecimal(unpacker.unpackString());
            default -> throw new IOException("a number was expected, got " + format);
        };
    }

}
