-- extracted_patterns of the seed's shape, which named colours and components only in lists
-- (`colors_used`, `components_detected`), get the tables every extraction has written since
-- (`colors`, `components`: analysis/extraction/results.py, ExtractedPatterns), so the code reads one
-- shape and keeps no fallback to the lists. Each colour or component counts once, as the
-- fallback counted it; what was not recorded (contexts, sources, class sets) stays empty.
UPDATE mockups
   SET extracted_patterns = extracted_patterns
       || CASE WHEN NOT extracted_patterns ? 'colors' AND jsonb_typeof(extracted_patterns -> 'colors_used') = 'array'
               THEN jsonb_build_object('colors', (
                      SELECT coalesce(jsonb_object_agg(color, jsonb_build_object(
                               'count', 1, 'contexts', '[]'::jsonb, 'sources', '[]'::jsonb)), '{}'::jsonb)
                        FROM jsonb_array_elements_text(extracted_patterns -> 'colors_used') AS color))
               ELSE '{}'::jsonb END
       || CASE WHEN NOT extracted_patterns ? 'components'
                    AND jsonb_typeof(extracted_patterns -> 'components_detected') = 'array'
               THEN jsonb_build_object('components', (
                      SELECT coalesce(jsonb_object_agg(component, jsonb_build_object(
                               'count', 1, 'class_sets', '[]'::jsonb, 'variants', '[]'::jsonb, 'states', '[]'::jsonb,
                               'background_colors', '[]'::jsonb)), '{}'::jsonb)
                        FROM jsonb_array_elements_text(extracted_patterns -> 'components_detected') AS component))
               ELSE '{}'::jsonb END
 WHERE jsonb_typeof(extracted_patterns) = 'object'
   AND ((NOT extracted_patterns ? 'colors' AND jsonb_typeof(extracted_patterns -> 'colors_used') = 'array')
     OR (NOT extracted_patterns ? 'components' AND jsonb_typeof(extracted_patterns -> 'components_detected') = 'array'));
