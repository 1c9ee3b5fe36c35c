// Eleventy 3 with eleventy-plugin-rss's virtual Atom feed, as recorded in
// tests/test_links_eleventy.py. The posts' permalink comes from posts/posts.json
// (directory data), which the recording replaced once per pattern.
import { feedPlugin } from "@11ty/eleventy-plugin-rss";

export default function (eleventyConfig) {
  eleventyConfig.addPlugin(feedPlugin, {
    type: "atom",
    outputPath: "/feed.xml",
    collection: { name: "posts", limit: 0 },
    metadata: {
      language: "en",
      title: "Eleventy links",
      subtitle: "Fixture",
      base: "https://example.org/",
      author: { name: "Ann" },
    },
  });
}

export const config = { dir: { input: ".", output: "_site" } };
