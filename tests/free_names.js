// Prints the free names of the script on stdin (names no enclosing scope declares), one
// "name count" pair a line, by acorn's parse: node free_names.js ACORN_PATH < script.js
// (tests/test_es2017.py: what craft.js takes from the global scope).
'use strict';
const acorn = require(process.argv[2]);
const ast = acorn.parse(require('fs').readFileSync(0, 'utf8'), { ecmaVersion: 2017 });
const free = new Map();
const isNode = (value) => value && typeof value.type === 'string';
const isFunction = (node) => /Function/.test(node.type);

function children(node, visit) {
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) { value.forEach((child) => isNode(child) && visit(child, node, key)); }
    else if (isNode(value)) { visit(value, node, key); }
  }
}

function declare(scope, pattern) {
  if (!pattern) { return; }
  if (pattern.type === 'Identifier') { scope.add(pattern.name); }
  else if (pattern.type === 'ObjectPattern') { pattern.properties.forEach((p) => declare(scope, p.value || p.argument)); }
  else if (pattern.type === 'ArrayPattern') { pattern.elements.forEach((e) => declare(scope, e)); }
  else if (pattern.type === 'RestElement') { declare(scope, pattern.argument); }
  else if (pattern.type === 'AssignmentPattern') { declare(scope, pattern.left); }
}

// The var, let, const and function declarations of a function body (ES2017 craft.js
// declares with var and function; block scopes are taken as the function's).
function hoist(node, scope) {
  children(node, function collect(child) {
    if (child.type === 'VariableDeclaration') { child.declarations.forEach((d) => declare(scope, d.id)); }
    if (child.type === 'FunctionDeclaration') { scope.add(child.id.name); return; }
    if (isFunction(child) || child.type === 'ClassExpression') { return; }
    children(child, collect);
  });
}

function visit(node, scopes, parent, key) {
  if (isFunction(node)) {
    const scope = new Set(['arguments']);
    if (node.id && node.type === 'FunctionExpression') { scope.add(node.id.name); }
    node.params.forEach((param) => declare(scope, param));
    hoist(node.body, scope);
    if (node.body.type !== 'BlockStatement') { /* an arrow's expression body */ }
    const inner = scopes.concat([scope]);
    children(node, (child, p, k) => k !== 'id' && visit(child, inner, p, k));
    return;
  }
  if (node.type === 'CatchClause') {
    const scope = new Set();
    declare(scope, node.param);
    scopes = scopes.concat([scope]);
  }
  if (node.type === 'Identifier') {
    const isPropertyName = (parent.type === 'MemberExpression' && key === 'property' && !parent.computed) ||
                           (parent.type === 'Property' && key === 'key' && !parent.computed) ||
                           /Labeled|Break|Continue/.test(parent.type) ||
                           (parent.type === 'VariableDeclarator' && key === 'id');
    if (!isPropertyName && !scopes.some((scope) => scope.has(node.name))) {
      free.set(node.name, (free.get(node.name) || 0) + 1);
    }
    return;
  }
  children(node, (child, p, k) => visit(child, scopes, p, k));
}

const top = new Set();
hoist(ast, top);
children(ast, (child, parent, key) => visit(child, [top], parent, key));
for (const [name, count] of [...free.entries()].sort()) { console.log(name + ' ' + count); }
