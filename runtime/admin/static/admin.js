/*
 * The admin panel's one small script, served from /admin/static/ (the CSP
 * allows scripts from the panel itself only, nothing inline). A classic
 * script loaded with defer on signed-in pages. It enhances pages that work
 * without it:
 * - a "select all" checkbox on list pages;
 * - reference pickers: the plain id input of a column with x-references
 *   becomes a search-as-you-type box over the target's label, fed by the
 *   JSON lookup at data-lookup; the id input keeps the value the form sends;
 * - the CSV import's file input (data-fills): the chosen file's text goes
 *   into the textarea the form sends, which can also be pasted into by hand.
 */
'use strict';
(function () {
  function selectAll(box) {
    var table = box.closest('table');
    var rows = Array.prototype.slice.call(table.querySelectorAll('tbody input[type=checkbox][name=id]'));
    function update() {
      var checked = rows.filter(function (row) {
        return row.checked;
      }).length;
      box.checked = checked > 0 && checked === rows.length;
      box.indeterminate = checked > 0 && checked < rows.length;
    }
    box.hidden = false;
    box.addEventListener('change', function () {
      rows.forEach(function (row) {
        row.checked = box.checked;
      });
      update();
    });
    rows.forEach(function (row) {
      row.addEventListener('change', update);
    });
    update();
  }

  function picker(box) {
    var idInput = box.querySelector('input.reference-id');
    var shown = box.querySelector('.reference-label');
    var url = box.getAttribute('data-lookup');
    var nullable = box.getAttribute('data-nullable') === 'true';
    var listId = idInput.id + '-options';
    var search = document.createElement('input');
    var list = document.createElement('ul');
    var current = { id: idInput.value, label: box.getAttribute('data-label') || '' };
    var options = [];
    var active = -1;
    var sequence = 0;
    var timer = 0;

    search.type = 'text';
    search.id = idInput.id + '-search';
    search.className = 'reference-search';
    search.autocomplete = 'off';
    search.placeholder = 'Type to search by ' + (box.getAttribute('data-label-name') || 'name') + ' or id';
    search.setAttribute('role', 'combobox');
    search.setAttribute('aria-autocomplete', 'list');
    search.setAttribute('aria-expanded', 'false');
    search.setAttribute('aria-controls', listId);
    if (idInput.getAttribute('aria-describedby'))
      search.setAttribute('aria-describedby', idInput.getAttribute('aria-describedby'));
    list.id = listId;
    list.className = 'reference-options';
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    var label = document.querySelector('label[for="' + idInput.id + '"]');
    if (label) label.htmlFor = search.id;
    idInput.hidden = true;
    // The options open right under the search box.
    var holder = document.createElement('div');
    holder.className = 'reference-field';
    holder.appendChild(search);
    holder.appendChild(list);
    box.insertBefore(holder, idInput);

    function describe(choice) {
      return choice.id === '' ? '' : choice.label || '#' + choice.id;
    }
    function showCurrent() {
      search.value = describe(current);
      shown.textContent = current.id === '' ? '' : '#' + current.id;
    }
    function close() {
      list.hidden = true;
      search.setAttribute('aria-expanded', 'false');
      search.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function choose(choice) {
      current = { id: String(choice.id), label: choice.label };
      idInput.value = current.id;
      idInput.dispatchEvent(new Event('change', { bubbles: true }));
      showCurrent();
      close();
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, position) {
        item.setAttribute('aria-selected', position === index ? 'true' : 'false');
      });
      if (index >= 0) search.setAttribute('aria-activedescendant', listId + '-' + index);
    }
    function note(text) {
      var item = document.createElement('li');
      item.className = 'note';
      item.textContent = text;
      list.appendChild(item);
    }
    function render(answer) {
      list.textContent = '';
      options = answer.results;
      options.forEach(function (choice, index) {
        var item = document.createElement('li');
        item.id = listId + '-' + index;
        item.setAttribute('role', 'option');
        item.setAttribute('aria-selected', 'false');
        item.textContent = (choice.label || '(no name)') + ' \u00b7 #' + choice.id;
        item.addEventListener('mousedown', function (event) {
          event.preventDefault();
          choose(choice);
        });
        list.appendChild(item);
      });
      if (options.length === 0) note('No matches');
      if (answer.more) note('More matches: keep typing to narrow them down');
      list.hidden = false;
      search.setAttribute('aria-expanded', 'true');
      highlight(options.length > 0 ? 0 : -1);
    }
    function ask() {
      var mine = ++sequence;
      fetch(url + '?q=' + encodeURIComponent(search.value.trim()), {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      })
        .then(function (response) {
          if (!response.ok) throw new Error('lookup answered ' + response.status);
          return response.json();
        })
        .then(function (answer) {
          if (mine === sequence && document.activeElement === search) render(answer);
        })
        .catch(function () {
          if (mine !== sequence) return;
          list.textContent = '';
          note('The lookup failed: reload the page and try again');
          list.hidden = false;
        });
    }
    search.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    search.addEventListener('focus', function () {
      search.select();
    });
    search.addEventListener('keydown', function (event) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (list.hidden) {
          ask();
          return;
        }
        if (options.length === 0) return;
        var step = event.key === 'ArrowDown' ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === 'Enter') {
        if (!list.hidden) {
          // Choosing, not submitting the form.
          event.preventDefault();
          if (active >= 0) choose(options[active]);
        }
      } else if (event.key === 'Escape') {
        close();
        showCurrent();
      }
    });
    search.addEventListener('blur', function () {
      clearTimeout(timer);
      sequence += 1;
      if (search.value.trim() === '' && nullable) {
        current = { id: '', label: '' };
        idInput.value = '';
      }
      close();
      showCurrent();
    });
    showCurrent();
  }

  function fillFromFile(input) {
    var target = document.getElementById(input.getAttribute('data-fills'));
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file || !target) return;
      file.text().then(function (text) {
        target.value = text;
      });
    });
  }

  document.querySelectorAll('input.select-all').forEach(selectAll);
  document.querySelectorAll('input[type=file][data-fills]').forEach(fillFromFile);
  document.querySelectorAll('.reference[data-lookup]').forEach(picker);
})();
