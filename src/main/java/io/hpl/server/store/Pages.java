package io.hpl.server.store;

import io.hpl.server.errors.EchoedInput;
import io.hpl.server.errors.HplException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Pages of a list sorted by a unique string key: the one rule for ListDatasets and ListModels.
 * A token is the base64url of the list's name and the last key given out, so it stays valid when
 * items are added or deleted between calls (the next page starts after that key, not at an offset)
 * and a token from another list is refused instead of silently skipping items.
 */
public final class Pages {
    /** Items per page when the client sends {@code page_size} 0 (clients that predate pagination). */
    public static final int DEFAULT_PAGE_SIZE = 50;
    /** Largest page: a page of full metadata must stay well under a default client's 4 MB message limit. */
    public static final int MAX_PAGE_SIZE = 500;

    /** One page; {@code nextPageToken} is empty on the last page. */
    public record Page<T>(List<T> items, String nextPageToken) {
    }

    private Pages() {
    }

    /**
     * The page after {@code pageToken} (or the first page when it is empty) of {@code sorted}, which
     * must be in ascending order of {@code key}.
     */
    public static <T> Page<T> of(String listName, List<T> sorted, Function<T, String> key, int pageSize, String pageToken) {
        if (pageSize < 0) {
            throw HplException.invalid("page_size must be 0 (default " + DEFAULT_PAGE_SIZE + ") or positive (at most "
                    + MAX_PAGE_SIZE + " are returned), got " + pageSize);
        }
        int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : Math.min(pageSize, MAX_PAGE_SIZE);
        String after = pageToken == null || pageToken.isEmpty() ? null : decode(listName, pageToken);
        List<T> page = new ArrayList<>();
        boolean more = false;
        for (T item : sorted) {
            if (after != null && key.apply(item).compareTo(after) <= 0) {
                continue;
            }
            if (page.size() == size) {
                more = true;
                break;
            }
            page.add(item);
        }
        String next = more ? encode(listName, key.apply(page.get(page.size() - 1))) : "";
        return new Page<>(List.copyOf(page), next);
    }

    static String encode(String listName, String key) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((listName + "\n" + key).getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String listName, String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String prefix = listName + "\n";
            if (text.startsWith(prefix) && text.length() > prefix.length()) {
                return text.substring(prefix.length());
            }
        } catch (IllegalArgumentException e) {
            // not base64url: falls through to the refusal
        }
        throw HplException.invalid("page_token " + EchoedInput.quote(token) + " is not a next_page_token this server gave"
                + " out for " + listName + "; send the last response's next_page_token, or none for the first page");
    }
}
