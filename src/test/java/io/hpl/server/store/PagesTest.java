package io.hpl.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpl.server.errors.ErrorKind;
import io.hpl.server.errors.HplException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PagesTest {
    private static final List<String> ITEMS = IntStream.range(0, 120).mapToObj(i -> String.format("k%03d", i)).toList();

    @Test
    void followingTokensVisitsEveryItemOnceInOrder() {
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            Pages.Page<String> page = Pages.of("L", ITEMS, s -> s, 50, token);
            seen.addAll(page.items());
            token = page.nextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertEquals(ITEMS, seen);
        assertEquals(3, pages);
    }

    @Test
    void noPageFieldsGivesTheFirstFiftyAndATokenForTheRest() {
        Pages.Page<String> page = Pages.of("L", ITEMS, s -> s, 0, "");
        assertEquals(ITEMS.subList(0, Pages.DEFAULT_PAGE_SIZE), page.items());
        assertTrue(!page.nextPageToken().isEmpty());
    }

    @Test
    void aShortListIsOnePageWithNoToken() {
        Pages.Page<String> page = Pages.of("L", ITEMS.subList(0, 3), s -> s, 0, null);
        assertEquals(3, page.items().size());
        assertEquals("", page.nextPageToken());
    }

    @Test
    void pageSizeIsCappedAtTheMaximum() {
        List<String> many = IntStream.range(0, 700).mapToObj(i -> String.format("k%04d", i)).toList();
        assertEquals(Pages.MAX_PAGE_SIZE, Pages.of("L", many, s -> s, 100_000, "").items().size());
    }

    @Test
    void aDeletedItemDoesNotShiftTheNextPage() {
        Pages.Page<String> first = Pages.of("L", ITEMS, s -> s, 10, "");
        List<String> fewer = new ArrayList<>(ITEMS);
        fewer.remove("k009"); // the last item of the first page goes away between calls
        fewer.remove("k003");
        assertEquals("k010", Pages.of("L", fewer, s -> s, 10, first.nextPageToken()).items().get(0));
    }

    @Test
    void badTokensAndNegativeSizesAreInvalidArgumentNamingTheField() {
        String other = Pages.of("Other", ITEMS, s -> s, 10, "").nextPageToken();
        for (String token : List.of("not base64 !", "AAAA", other, "x".repeat(5000))) {
            HplException e = assertThrows(HplException.class, () -> Pages.of("L", ITEMS, s -> s, 10, token));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage().contains("page_token"), e.getMessage());
            assertTrue(e.getMessage().length() < 500, "the token is quoted short: " + e.getMessage().length());
        }
        HplException e = assertThrows(HplException.class, () -> Pages.of("L", ITEMS, s -> s, -1, ""));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("page_size"), e.getMessage());
    }

    @Test
    void listKeysSortLikeTheStoresLists() {
        ModelRecord a = model("a", 2), a10 = model("a", 10), ab = model("a-b", 1);
        assertTrue(ModelStore.listKey(a).compareTo(ModelStore.listKey(a10)) < 0);
        assertTrue(ModelStore.listKey(a10).compareTo(ModelStore.listKey(ab)) < 0);
        DatasetRecord early = dataset("ds-b", Instant.ofEpochSecond(9, 5)), late = dataset("ds-a", Instant.ofEpochSecond(10));
        assertTrue(DatasetStore.listKey(early).compareTo(DatasetStore.listKey(late)) < 0);
    }

    private static DatasetRecord dataset(String id, Instant at) {
        return new DatasetRecord(id, "n", null, 0, 0, "", 0, at);
    }

    private static ModelRecord model(String name, int version) {
        ModelRecord r = ModelStoreTest.draft(name);
        return new ModelRecord(r.name(), version, r.method(), r.hyperParameters(), r.seed(), r.datasetId(),
                r.datasetSha256(), r.schema(), r.calibrationMetrics(), r.createdAt(), r.onnxSha256(), r.onnxSizeBytes(),
                r.varianceDefinition(), r.labelledRowsUsed(), r.unlabelledRowsUsed(), r.calibrationRows(),
                r.trainingSeconds(), r.conformal(), r.uncertaintyNote(), r.selection());
    }
}
