package io.hpl.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.hpl.server.errors.HplException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
    @Test
    void aShortMessageKeepsItsCodeAndText() {
        Status status = GrpcErrors.toStatus(HplException.invalid("line 3, column 'a': bad")).getStatus();
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        assertEquals("line 3, column 'a': bad", status.getDescription());
    }

    @Test
    void aHugeMessageIsCappedInUtf8BytesWithAnEllipsis() {
        for (String unit : new String[] {"x", "é", "€", "\uD83D\uDE00"}) {
            String message = "line 2: " + unit.repeat(100_000);
            Status status = GrpcErrors.toStatus(HplException.exhausted(message)).getStatus();
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode());
            String description = status.getDescription();
            assertTrue(description.getBytes(StandardCharsets.UTF_8).length <= GrpcErrors.MAX_DESCRIPTION_BYTES,
                    unit + ": " + description.getBytes(StandardCharsets.UTF_8).length + " bytes");
            assertTrue(description.startsWith("line 2: " + unit), description.substring(0, 20));
            assertTrue(description.endsWith("… (message shortened)"), unit);
        }
    }

    @Test
    void aMessageAtTheCapIsKeptWhole() {
        String message = "m".repeat(GrpcErrors.MAX_DESCRIPTION_BYTES);
        assertTrue(message.equals(GrpcErrors.capped(message)), "shortened a message that fits");
        assertTrue(GrpcErrors.capped(message + "m").endsWith("… (message shortened)"));
    }
}
