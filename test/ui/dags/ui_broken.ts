/** A DAG file that fails to import: the DAG list shows its error. */
throw new Error('ui_broken fails to import <b>on purpose</b>');
